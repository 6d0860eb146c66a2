#!/usr/bin/env bash
# Every test of the project, on a fresh machine: installs what it needs, then runs format, lint,
# the Rust test suites (unit, conformance vectors, driver, properties, contract, doc tests) and
# the staleness checks of generated files. One target dir; no benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0

step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }

step "toolchain"
command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }
rustup component add clippy rustfmt >/dev/null 2>&1 || true
cargo --version
# The whole run's target dir is several GB: say how much disk there is, so a full disk shows as one.
df -h . | tail -1
# redis-server: the shared rate budget's tests run their own on loopback ports.
if ! command -v redis-server >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version

step "format"
cargo fmt --all --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "generated files are current"
python3 tests/vectors/make_vectors.py >/dev/null
git diff --exit-code -- tests/vectors || { echo "tests/vectors/*.json differ from make_vectors.py: run it and commit"; exit 1; }

step "tests"
cargo test --workspace --locked

step "fuzzing: 15 s per target"
bash scripts/fuzz.sh

step "Python binding"
bash scripts/test-python.sh

step "Node binding"
bash scripts/test-node.sh

step "wasm package: Node, Chromium (the return portal), Deno, Bun, workerd"
bash scripts/test-wasm.sh

step "tools: the Python venv of the checks (schemathesis, tree-sitter-swift)"
if [ ! -x .tools/venv/bin/schemathesis ] || ! .tools/venv/bin/python -c "import tree_sitter_swift" 2>/dev/null; then
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check -r ci/requirements.txt
fi

step "Mobile binding: Kotlin on the JVM, Swift checks"
bash scripts/test-mobile.sh

step "shared rate budget: 8 workers (Python, Node, CLI), one account, one Redis"
target/python-venv/bin/python tests/rate-budget/run.py

step "narvar mcp: the official MCP TypeScript SDK as the client"
(cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error)
timeout -k 10 600 node --test --test-timeout=120000 tests/mcp/

step "parity: every operation in every language"
python3 tests/parity/parity.py

step "API fuzzing: schemathesis against the sandbox"
cargo build -q -p narvar-sandbox --locked
bash scripts/schemathesis.sh

step "done"
du -sh target
df -h . | tail -1
