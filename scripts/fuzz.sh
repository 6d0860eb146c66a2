#!/usr/bin/env bash
# The core's fuzz targets (core/fuzz): response readers, webhooks, input validation, and the
# driver against a hostile transport. Installs cargo-fuzz if it is missing; runs on stable Rust
# (RUSTC_BOOTSTRAP=1, as cargo-fuzz needs nightly flags).
#
#   bash scripts/fuzz.sh                # the short run of the test command: 15 s per target
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh
#   FUZZ_RUNS=10000000 FUZZ_SANITIZER=none bash scripts/fuzz.sh   # long runs: 10 M execs each
#
# Each target prints its execs; a crash stops the script with the input saved under
# core/fuzz/artifacts/<target>/ (make it a regression test, then delete it).
set -euo pipefail
cd "$(dirname "$0")/../core"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked -q cargo-fuzz --version 0.13.2
sanitizer=${FUZZ_SANITIZER:-address}
limit=(-max_total_time="${FUZZ_SECONDS:-15}")
[ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
targets=(read_response webhooks validate_input driver)
cargo fuzz build -s "$sanitizer" --fuzz-dir fuzz --target-dir ../target/fuzz
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log=$(mktemp)
  if ! cargo fuzz run -s "$sanitizer" --fuzz-dir fuzz --target-dir ../target/fuzz "$t" "fuzz/corpus/$t" -- \
      "${limit[@]}" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t crashed"
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo '?')
  echo "fuzz $t: $execs execs in ${secs}s, 0 crashes"
  rm -f "$log"
done
