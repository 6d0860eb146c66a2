// Browsers and bundlers (Vite, webpack and esbuild resolve `new URL(..., import.meta.url)` as an asset).
import init from './narvar_wasm.js';

await init({ module_or_path: new URL('./narvar_wasm_bg.wasm', import.meta.url) });
export * from './index.js';
