#!/usr/bin/env bash
# Runs schemathesis against a running sandbox (built by `cargo build -p narvar-sandbox`): every
# check but positive_data_acceptance (see README), Basic-auth families then Bearer ones.
set -euo pipefail
cd "$(dirname "$0")/.."
ST=${ST:-.tools/venv/bin/schemathesis}
BIN=${SANDBOX_BIN:-target/debug/narvar-sandbox}
log=$(mktemp)
"$BIN" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
kill -0 $pid || { cat "$log"; echo "the sandbox did not start"; exit 1; }
url=$(sed -n 's/^narvar sandbox listening on //p' "$log")
common=(--checks all --exclude-checks positive_data_acceptance --max-examples "${MAX_EXAMPLES:-30}" --seed 1 --no-color)
"$ST" run "$url/openapi.json" "${common[@]}" --auth acme:tok_test_acme \
  --include-tag orders --include-tag returns --include-tag tracking --include-tag promise
"$ST" run "$url/openapi.json" "${common[@]}" -H "Authorization: Bearer bear_test_acme" \
  --include-tag carriers --include-tag carrier_accounts
