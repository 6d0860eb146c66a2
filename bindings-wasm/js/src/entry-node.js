// Node and Bun: the module read from the package's folder.
import { readFileSync } from 'node:fs';
import { initSync } from './narvar_wasm.js';

initSync({ module: readFileSync(new URL('./narvar_wasm_bg.wasm', import.meta.url)) });
export * from './index.js';
