#!/usr/bin/env node
// The wasm module's size, raw, gzip -9 and brotli (quality 11), and the ratchet: `--check` fails
// when gzip exceeds size-budget.json's `gzipBytes` (lower it when the module shrinks).
//   node tools/size.mjs [--check]
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

export function sizes(path) {
  const bytes = readFileSync(path);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = sizes(join(PKG, 'dist', 'narvar_wasm_bg.wasm'));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`wasm module: raw ${kb(s.raw)}, gzip ${kb(s.gzip)}, brotli ${kb(s.brotli)}`);
  if (process.argv.includes('--check')) {
    const budget = JSON.parse(readFileSync(join(PKG, 'size-budget.json'), 'utf8')).gzipBytes;
    if (s.gzip > budget) {
      console.error(`the module is ${s.gzip} B gzipped, over its budget of ${budget} B (size-budget.json)`);
      process.exit(1);
    }
    console.log(`within the budget: ${s.gzip} <= ${budget} B gzipped`);
  }
}
