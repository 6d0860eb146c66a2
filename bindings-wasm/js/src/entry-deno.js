// Deno: the module read with Deno's own file API (no MIME type to get right, no permission prompt for the network).
import { initSync } from './narvar_wasm.js';

initSync({ module: await Deno.readFile(new URL('./narvar_wasm_bg.wasm', import.meta.url)) });
export * from './index.js';
