#!/usr/bin/env bash
# Bulk import throughput and memory (by hand; not in CI):
#   bash cli/benches/import.sh [N=100000]
# Generates N orders as JSONL, runs `narvar orders import` (release) into a release sandbox on
# loopback with the rate limits off, and reports orders/s and the importer's peak RSS. It runs
# N/10 first, so flat memory shows as the same peak RSS for 10x the input.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
cargo build -q --release -p narvar-cli -p narvar-sandbox
work=$(mktemp -d)
target/release/narvar-sandbox --port 0 >"$work/sb.log" 2>&1 &
sb=$!
trap 'kill $sb 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "listening on" "$work/sb.log" && break; sleep 0.1; done
url=$(sed -n 's/^narvar sandbox listening on //p' "$work/sb.log")
gen() {
  python3 - "$1" "$2" <<'PY'
import json, sys
n, prefix = int(sys.argv[1]), sys.argv[2]
with sys.stdout as out:
    for i in range(n):
        out.write(json.dumps({"order_number": f"{prefix}-{i}", "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
            "order_items": [{"sku": f"SKU-{j}", "item_id": f"L{j}", "name": "Blue mug, 12 oz", "quantity": 2, "unit_price": 14.5} for j in range(3)],
            "customer": {"customer_id": f"C-{i}", "email": "ada@example.test"}}) + "\n")
PY
}
for n in $((N / 10)) "$N"; do
  gen "$n" "B$n" >"$work/orders-$n.jsonl"
  /usr/bin/time -v target/release/narvar --base-url "$url" --account-id acme --auth-token tok_test_acme --no-rate-budget --json \
    orders import "$work/orders-$n.jsonl" --concurrency 32 >"$work/out-$n.json" 2>"$work/time-$n.txt"
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$work/time-$n.txt")
  echo "$n orders ($(du -h "$work/orders-$n.jsonl" | cut -f1)): $(cat "$work/out-$n.json") peak RSS ${rss} KB"
done
