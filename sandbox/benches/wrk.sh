#!/usr/bin/env bash
# Sandbox throughput vs nginx, both on loopback, in the same run (by hand; not in CI).
#   bash sandbox/benches/wrk.sh            # needs: apt-get install -y wrk nginx-light
# GET of one order on the sandbox (release build, auth, routing, state lock, JSON) against nginx
# serving the same JSON bytes as a static file. Goal: sandbox >= 0.5x nginx's requests/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null && command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; }
cargo build -q --release -p narvar-sandbox
DUR=${DUR:-10s} CONN=${CONN:-64} THREADS=${THREADS:-2}
work=$(mktemp -d)
target/release/narvar-sandbox --port 18090 >"$work/sb.log" 2>&1 &
sb=$!
trap 'kill $sb 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; true' EXIT
sleep 0.5
auth="Authorization: Basic $(printf 'acme:tok_test_acme' | base64)"
order='{"order_info":{"order_number":"BENCH-1","order_date":"2024-03-09T17:45:00Z","currency_code":"USD","order_items":['
for i in $(seq 1 8); do order+="{\"sku\":\"SKU-$i\",\"item_id\":\"L$i\",\"name\":\"Blue mug $i, 12 oz\",\"quantity\":2,\"unit_price\":14.5,\"item_image\":\"https://cdn.example.test/$i.png\",\"fulfillment_status\":\"NOT_SHIPPED\"},"; done
order="${order%,}],\"customer\":{\"customer_id\":\"C-88\",\"email\":\"ada@example.test\"}}}"
curl -sf -H "$auth" -H 'content-type: application/json' -d "$order" http://127.0.0.1:18090/api/v1/orders >/dev/null
mkdir -p "$work/www/api/v1/orders"
curl -sf -H "$auth" http://127.0.0.1:18090/api/v1/orders/BENCH-1 >"$work/www/api/v1/orders/BENCH-1"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:18091; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"
sleep 0.3
echo "body: $(wc -c <"$work/www/api/v1/orders/BENCH-1") bytes; wrk -t$THREADS -c$CONN -d$DUR"
s=$(wrk -t"$THREADS" -c"$CONN" -d"$DUR" -H "$auth" http://127.0.0.1:18090/api/v1/orders/BENCH-1 | awk '/Requests\/sec/ {print $2}')
n=$(wrk -t"$THREADS" -c"$CONN" -d"$DUR" http://127.0.0.1:18091/api/v1/orders/BENCH-1 | awk '/Requests\/sec/ {print $2}')
echo "sandbox: $s req/s"
echo "nginx:   $n req/s"
python3 -c "print(f'ratio sandbox/nginx: {float($s)/float($n):.2f}x (goal >= 0.5x)')"
