'use strict';
// Arguments become JSON text with `JSON.stringify`, after one walk that refuses what is not JSON
// data (BigInt, functions, symbols, cycles, NaN, Map/Set, binary buffers) naming its path, as
// the core's validation names fields (`order_info.order_items[0].sku`).

function describe(v) {
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

/** The path and reason of the first value that is not JSON data, or null. */
function firstProblem(v, path, seen) {
  switch (typeof v) {
    case 'string': case 'boolean': case 'undefined': return null;
    case 'number': return Number.isFinite(v) ? null : [path, v];
    case 'object': break;
    default: return [path, v];
  }
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? [path, v] : null;
  if (v instanceof Map || v instanceof Set || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return [path, v];
  if (seen.has(v)) return [path, v];
  if (typeof v.toJSON === 'function') return null; // the object says how it is written
  seen.add(v);
  let found = null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && !found; i++) found = firstProblem(v[i], `${path}[${i}]`, seen);
  } else {
    for (const k of Object.keys(v)) {
      const item = v[k];
      // A missing optional field left as `undefined`, or a method on a class instance: omitted.
      if (item === undefined) continue;
      found = firstProblem(item, key(path, k), seen);
      if (found) break;
    }
  }
  seen.delete(v);
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
  const problem = firstProblem(value, '', new Set());
  if (problem) throw new TypeError(`${at(root, problem[0])}: ${describe(problem[1])}`);
  return JSON.stringify(value ?? null);
}

module.exports = { toJson };
