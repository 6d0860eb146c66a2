'use strict';
// Loads the native half (napi-rs). One file per platform; only linux-x64-gnu is built today.
const path = require('node:path');

const triples = { 'linux-x64': 'linux-x64-gnu' };
const triple = triples[`${process.platform}-${process.arch}`];
if (!triple) {
  throw new Error(`narvar has no native build for ${process.platform}-${process.arch} yet (built: ${Object.values(triples).join(', ')})`);
}
module.exports = require(path.join(__dirname, '..', `narvar.${triple}.node`));
