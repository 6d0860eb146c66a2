#!/usr/bin/env bash
# The wasm package (browsers and edge runtimes), tested the way users install it: the module
# built once (profile wasm, wasm-opt -Oz) and its size ratchet, `npm pack`, the tarball installed
# into an empty project beside the Node package (whose embedded sandbox the tests run against),
# `node --test` there (every operation, every vector, errors, abort, timeouts, webhooks, the
# proxied portal mode), the return portal in headless Chromium, `tsc --strict` over the portal's
# page, and one smoke script under Deno, Bun and workerd.
# Needs the Node package's tarball (scripts/test-node.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PKG=$ROOT/bindings-wasm/js
TOOLS=$ROOT/.tools
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
# The CLI must equal the crate's wasm-bindgen (=0.2.130); `--locked` fails for this version (see toolchain.md).
[ -x "$TOOLS/bin/wasm-bindgen" ] && "$TOOLS/bin/wasm-bindgen" --version | grep -q ' 0.2.130' \
  || cargo install -q wasm-bindgen-cli --version 0.2.130 --root "$TOOLS"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

echo "== wasm: build (cargo, wasm-bindgen, wasm-opt) and size"
(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error)
node "$PKG/tools/build.mjs"
node "$PKG/tools/size.mjs" --check

echo "== wasm: pack, install into an empty project"
rm -f "$PKG"/narvar-wasm-*.tgz
tarball=$PKG/$(cd "$PKG" && npm pack --silent | tail -1)
echo "tarball: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KB packed)"
node_tarball=$(ls "$ROOT"/bindings-node/narvar-*.tgz | head -1)
project=$ROOT/target/wasm-project
rm -rf "$project" && mkdir -p "$project"
cd "$project"
npm init -y >/dev/null
npm pkg set type=module
npm install --no-audit --no-fund --loglevel=error "$tarball" "$node_tarball"
cp -r "$PKG/test" test
cp "$ROOT/bindings-node/test/helpers.mjs" test/helpers.mjs
cp -r "$ROOT/bindings-wasm/examples/return-portal" portal

echo "== wasm: the portal's page compiles under tsc --strict (DOM and es2022)"
ln -sfn "$project/node_modules" portal/node_modules
"$PKG/node_modules/.bin/tsc" -p portal/tsconfig.json

echo "== wasm: node --test (Node $(node --version)), Chromium"
# Bounded twice: a test that waits forever fails after 2 minutes, a blocked event loop after 15.
NARVAR_REPO=$ROOT NARVAR_TEST_OUT=$project timeout -k 10 900 node --test --test-timeout=120000 \
  --test-reporter=dot --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination=tap.txt test/ \
  || { tail -40 tap.txt; exit 1; }
echo; grep -E '^# (tests|pass|fail|skipped)' tap.txt
echo "screenshot: $project/return-portal.png"

echo "== wasm: edge runtimes"
bash "$ROOT/bindings-wasm/edge/run.sh" "$project"
