'use strict';
// `verifyWebhook`: checks a delivery in the core (HMAC-SHA256 or Basic, timestamp) and parses it.

const native = require('./native');
const { translate } = require('./errors');

/** `[name, value, name, value, ...]` from Node's `IncomingHttpHeaders`, a `Headers` or pairs. */
function flatHeaders(headers) {
  const flat = [];
  const add = (k, v) => {
    if (v === undefined) return;
    for (const one of Array.isArray(v) ? v : [v]) flat.push(String(k), String(one));
  };
  if (headers == null) return flat;
  if (typeof headers.forEach === 'function' && !Array.isArray(headers)) headers.forEach((v, k) => add(k, v));
  else if (typeof headers[Symbol.iterator] === 'function') for (const [k, v] of headers) add(k, v);
  else for (const [k, v] of Object.entries(headers)) add(k, v);
  return flat;
}

function bodyBuffer(rawBody) {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (rawBody instanceof ArrayBuffer) return Buffer.from(rawBody);
  const what = rawBody === null ? 'null' : typeof rawBody === 'object' ? 'a parsed object' : typeof rawBody;
  throw new TypeError(
    `verifyWebhook needs the body exactly as received (a Buffer or string), not ${what}: a body parsed and ` +
    're-serialized has other bytes than the ones Narvar signed. With Express, use express.raw({ type: "application/json" }) on this route.',
  );
}

/** Whether `body` reads as compact JSON: what `JSON.stringify` writes after a parse. */
function looksReserialized(buf) {
  try {
    const text = buf.toString('utf8');
    return JSON.stringify(JSON.parse(text)) === text && /[{,]"[^"]+":/.test(text);
  } catch {
    return false;
  }
}

/**
 * Checks a delivery's signature (`{ secret }`) or Basic credentials (`{ username, password }`)
 * and its timestamp (`toleranceSec`, default 300), then parses it.
 */
function verifyWebhook(rawBody, headers, check = {}) {
  const body = bodyBuffer(rawBody);
  const { secret, username, password, toleranceSec, requireTimestamp, now } = check;
  try {
    return JSON.parse(native.verifyWebhook(flatHeaders(headers), body, { secret, username, password, toleranceSec, requireTimestamp, now }));
  } catch (e) {
    const err = translate(e);
    if (err?.messages?.[0]?.code === 'signature_mismatch' || /signature does not match/.test(err?.message ?? '')) {
      if (looksReserialized(body)) {
        err.message += ' The body is compact JSON, as JSON.stringify writes it: if it was parsed and re-serialized ' +
          '(express.json(), a logging middleware), its bytes changed. Verify the raw body (express.raw()).';
      }
    }
    throw err;
  }
}

module.exports = { verifyWebhook };
