'use strict';
// Loads the native half (napi-rs). One file per platform; only linux-x64-gnu is built today.
const path = require('node:path');

const triples = { 'linux-x64': 'linux-x64-gnu' };
const triple = triples[`${process.platform}-${process.arch}`];
if (!triple) {
  throw new Error(`narvar has no native build for ${process.platform}-${process.arch} yet (built: ${Object.values(triples).join(', ')})`);
}
const native = require(path.join(__dirname, '..', `narvar.${triple}.node`));

// The client's log events, as Node reports such things: warnings through `process.emitWarning`
// (type `NarvarWarning`), the rest through `NODE_DEBUG=narvar`. Once per process.
const debug = require('node:util').debuglog('narvar');
native.onLog((level, line) => {
  if (level === 'INFO') debug('%s', line);
  else process.emitWarning(line, { type: 'NarvarWarning' });
});

module.exports = native;
