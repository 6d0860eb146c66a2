#!/usr/bin/env bash
# The Node binding, tested the way users install it: generated files current, the native addon
# built once (release), `npm pack`, the tarball installed into an empty project, loaded with
# `import` and `require`, the test suites run there, `tsc --strict` over a typed example, and
# @arethetypeswrong/cli over the tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PKG=$ROOT/bindings-node
command -v node >/dev/null || { echo "node >= 20 is required"; exit 1; }
node --version

node "$PKG/tools/gen.mjs" --check
(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error)
rm -f "$PKG/narvar.linux-x64-gnu.node"  # a stale addon must not pass for a fresh one
(cd "$PKG" && npx napi build --platform --release --strip --no-js --dts native.d.ts -- --locked 2>&1 | sed '/^ *Compiling /d')
test -f "$PKG/narvar.linux-x64-gnu.node" || { echo "the native addon was not built"; exit 1; }

rm -f "$PKG"/narvar-*.tgz
tarball=$PKG/$(cd "$PKG" && npm pack --silent | tail -1)
echo "tarball: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KB packed)"

project=$ROOT/target/node-project
rm -rf "$project" && mkdir -p "$project"
cd "$project"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball"

# Both entries load, and share one class identity.
cat > both.mjs <<'JS'
import { createRequire } from 'node:module';
import * as esm from 'narvar';
const cjs = createRequire(import.meta.url)('narvar');
if (esm.Client !== cjs.Client || esm.NarvarError !== cjs.NarvarError) throw new Error('two class identities');
const sb = await esm.Sandbox.start();
try {
  await sb.client({ rateBudget: false }).orders.get('none');
} catch (e) {
  if (!(e instanceof cjs.NotFoundError && e instanceof esm.NarvarError)) throw e;
  console.log('import and require: one identity; a call against the sandbox:', e.code, e.status);
}
await sb.close();
JS
node both.mjs
node -e "const n = require('narvar'); if (typeof n.Client !== 'function') process.exit(1); console.log('require(\"narvar\")', n.version)"

cp -r "$PKG/test" "$project/test"
# Bounded twice: a test that waits forever fails after 2 minutes, a blocked event loop after 15.
NARVAR_REPO=$ROOT timeout -k 10 900 node --test --test-timeout=120000 --test-reporter=dot \
  --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination=tap.txt test/ \
  || { tail -40 tap.txt; exit 1; }
echo; grep -E '^# (tests|pass|fail|skipped)' tap.txt

# Types: a typed example under tsc --strict (lib es2022, no DOM), and the packed tarball.
cp "$PKG/examples/typed.ts" "$project/typed.ts"
cat > tsconfig.json <<JSON
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2022", "lib": ["es2022"], "module": "nodenext",
  "moduleResolution": "nodenext", "types": ["node"], "typeRoots": ["$PKG/node_modules/@types"] }, "files": ["typed.ts"] }
JSON
"$PKG/node_modules/.bin/tsc" -p .
echo "tsc --strict: typed.ts compiles"
"$PKG/node_modules/.bin/attw" --pack "$tarball" --format ascii
