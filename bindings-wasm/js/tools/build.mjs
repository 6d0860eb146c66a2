#!/usr/bin/env node
// Builds the package into dist/: the crate for wasm32 (profile `wasm`: opt-level z, fat LTO,
// panic=abort), wasm-bindgen's `web` glue, `wasm-opt -Oz` (npm's binaryen), the JavaScript
// sources, the Node package's shared CommonJS modules (errors, JSON checks, the generated API)
// wrapped as ES modules rather than copied, the browser entry bundled into one module (esbuild),
// and the generated declarations. Prints the sizes.
//   node tools/build.mjs [--skip-cargo]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizes } from './size.mjs';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(PKG, '..', '..');
const DIST = join(PKG, 'dist');
const NODE_LIB = join(ROOT, 'bindings-node', 'lib');
const SHARED = ['errors', 'json', 'calls', 'api'];
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', cwd: ROOT });

if (!process.argv.includes('--skip-cargo')) {
  run('cargo', ['build', '--locked', '-q', '-p', 'narvar-wasm', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm']);
}
const bindgen = process.env.WASM_BINDGEN ?? join(ROOT, '.tools', 'bin', 'wasm-bindgen');
rmSync(DIST, { recursive: true, force: true });
run(bindgen, [join(ROOT, 'target', 'wasm32-unknown-unknown', 'wasm', 'narvar_wasm.wasm'), '--target', 'web', '--no-typescript', '--out-dir', DIST]);
const wasm = join(DIST, 'narvar_wasm_bg.wasm');
run(join(PKG, 'node_modules', '.bin', 'wasm-opt'), ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', wasm, '-o', wasm]);

const version = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version;
for (const f of readdirSync(join(PKG, 'src')).filter((f) => f !== 'io.js')) {  // io.js ships as wasm-bindgen's snippet
  writeFileSync(join(DIST, f), readFileSync(join(PKG, 'src', f), 'utf8').replace('__NARVAR_VERSION__', version));
}

// The Node package's modules that touch neither the addon nor Node's API, as ES modules: each
// `require('./x')` becomes an import of the wrapped `x.js`, `module.exports` its exports.
mkdirSync(join(DIST, 'shared'), { recursive: true });
const require = createRequire(import.meta.url);
for (const name of SHARED) {
  const source = readFileSync(join(NODE_LIB, `${name}.js`), 'utf8');
  const deps = [...source.matchAll(/require\('\.\/(\w+)'\)/g)].map((m) => m[1]);
  const unknown = deps.filter((d) => !SHARED.includes(d));
  if (unknown.length) throw new Error(`bindings-node/lib/${name}.js requires ${unknown.join(', ')}, which the wasm package does not share`);
  const exportsOf = Object.keys(require(join(NODE_LIB, `${name}.js`)));
  const text = [
    `// bindings-node/lib/${name}.js, wrapped as an ES module by bindings-wasm/js/tools/build.mjs.`,
    ...deps.map((d) => `import __${d} from './${d}.js';`),
    'const module = { exports: {} };',
    // Its own scope, as CommonJS gives it: its names cannot clash with the exports below.
    `(function (module, exports, require) {${source}})(module, module.exports, (id) => ({ ${deps.map((d) => `'./${d}': __${d}`).join(', ')} })[id]);`,
    'export default module.exports;',
    `export const { ${exportsOf.join(', ')} } = module.exports;`,
    '',
  ].join('\n');
  writeFileSync(join(DIST, 'shared', `${name}.js`), text);
}
cpSync(join(PKG, 'index.d.ts'), join(DIST, 'index.d.ts'));
if (!existsSync(join(DIST, 'snippets'))) throw new Error('wasm-bindgen wrote no snippets/ (io.js)');

// A page loads the browser entry as one module instead of seven: a cold Chromium page imported
// and instantiated it in 72 ms instead of 100 (median of 9, bench-like server). The `.wasm`
// stays a `new URL(..., import.meta.url)` asset, as bundlers expect; the other entries (Node,
// Deno, Bun, workerd) keep the separate modules.
const esbuild = await import('esbuild');
const browserEntry = join(DIST, 'entry-browser.js');
await esbuild.build({
  entryPoints: [browserEntry], outfile: browserEntry, allowOverwrite: true, bundle: true, format: 'esm', target: 'es2022',
  logLevel: 'warning',
  // wasm-bindgen's glue names the io snippet once per import group, as the same key of its
  // imports object: the same module each time, so the duplicate is harmless.
  logOverride: { 'duplicate-object-key': 'silent' },
});

const s = sizes(wasm);
console.log(`narvar_wasm_bg.wasm: ${s.raw} B raw, ${s.gzip} B gzip -9, ${s.brotli} B brotli`);
