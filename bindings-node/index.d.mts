// Types of the ES module entry: the same declarations as the CommonJS one.
import narvar from './index.js';
export * from './index.js';
export default narvar;
