// Cloudflare Workers (workerd): a `.wasm` import is a compiled `WebAssembly.Module`, the only way a
// worker may get one (it cannot compile bytes at run time).
import module from './narvar_wasm_bg.wasm';
import { initSync } from './narvar_wasm.js';

initSync({ module });
export * from './index.js';
