'use strict';
// Arguments become JSON text with `JSON.stringify`, after one walk that refuses what is not JSON
// data (BigInt, functions, symbols, cycles, NaN, Map/Set, binary buffers) or is nested deeper
// than the core's JSON readers go, naming its path, as the core's validation names fields
// (`order_info.order_items[0].sku`).

/** Stands for a value nested too deeply, in place of the value. */
const TOO_DEEP = Symbol('too deep');
let nestingLimit = null;
let readNestingLimit = () => Infinity;
let tooDeep = () => 'nested too deeply';

/**
 * Where the walk learns the core's nesting limit (`codec::MAX_NESTING`) and what to say of deeper
 * input (`codec::too_deep`): each package gives its native module's `maxNesting` and `tooDeep`,
 * read at the first walk (a wasm module is not ready at load).
 */
function useNestingLimit(read, message) {
  readNestingLimit = read;
  tooDeep = message;
  nestingLimit = null;
}

function describe(v) {
  if (v === TOO_DEEP) return tooDeep();
  if (typeof v === 'bigint') return `the BigInt ${v}n is not JSON data: pass a number or a string`;
  if (typeof v === 'function') return 'a function is not JSON data';
  if (typeof v === 'symbol') return 'a symbol is not JSON data';
  if (typeof v === 'number') return `${v} is not a JSON number`;
  if (v instanceof Date) return 'an invalid Date is not a date-time';
  if (v instanceof Map || v instanceof Set) return `a ${v.constructor.name} is not JSON data: pass an object or an array`;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return 'binary data is not JSON data';
  return 'a cycle: this object contains itself';
}

function key(path, k) {
  return path ? `${path}.${k}` : k;
}

/** `trail` (the keys and indexes walked) as a path: `order_items[0].sku`. */
function render(trail) {
  let path = '';
  for (const step of trail) path = typeof step === 'number' ? `${path}[${step}]` : key(path, step);
  return path;
}

/**
 * The path and the value of the first value that is not JSON data, or null. The path is built
 * only for that value: `trail` holds the steps walked, `parents` the objects being walked (a
 * cycle is an object met again among its own parents).
 */
function firstProblem(v, trail, parents) {
  switch (typeof v) {
    case 'string': case 'boolean': case 'undefined': return null;
    case 'number': return Number.isFinite(v) ? null : [render(trail), v];
    case 'object': break;
    default: return [render(trail), v];
  }
  if (v === null) return null;
  const proto = Object.getPrototypeOf(v);
  // Plain objects and arrays (nearly every value) skip the checks for other kinds of object.
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) {
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? [render(trail), v] : null;
    if (v instanceof Map || v instanceof Set || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return [render(trail), v];
  }
  if (typeof v.toJSON === 'function') return null; // the object says how it is written
  if (parents.includes(v)) return [render(trail), v];
  if (parents.length >= nestingLimit) return [render(trail), TOO_DEEP];
  parents.push(v);
  let found = null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && !found; i++) found = step(v[i], i, trail, parents);
  } else {
    for (const k of Object.keys(v)) {
      // A missing optional field left as `undefined`, or a method on a class instance: omitted.
      found = step(v[k], k, trail, parents);
      if (found) break;
    }
  }
  parents.pop();
  return found;
}

/** One step of the walk: strings, booleans and finite numbers (most values) without entering them. */
function step(item, at, trail, parents) {
  const type = typeof item;
  if (type === 'string' || type === 'boolean' || item === undefined || item === null) return null;
  if (type === 'number' && Number.isFinite(item)) return null;
  trail.push(at);
  const found = firstProblem(item, trail, parents);
  trail.pop();
  return found;
}

function at(root, path) {
  if (!root) return path || '(the input)';
  if (!path) return root;
  return path.startsWith('[') ? root + path : `${root}.${path}`;
}

/**
 * `value` as JSON text; a `TypeError` naming the path (under `root`, the operation's input
 * field) for what is not JSON data. Checked first: `JSON.stringify` drops functions and
 * symbols silently and names no path for a BigInt or a cycle.
 */
function toJson(value, root) {
  nestingLimit ??= readNestingLimit();
  const problem = firstProblem(value, [], []);
  if (problem) throw new TypeError(`${at(root, problem[0])}: ${describe(problem[1])}`);
  return JSON.stringify(value ?? null);
}

module.exports = { toJson, useNestingLimit };
