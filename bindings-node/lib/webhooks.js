'use strict';
// `verifyWebhook`: checks a delivery in the core (HMAC-SHA256 or Basic, timestamp) and parses it.

const native = require('./native');
const { translate } = require('./errors');
const { flatHeaders, explainMismatch, notRawBody } = require('./calls');

function bodyBuffer(rawBody) {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (rawBody instanceof ArrayBuffer) return Buffer.from(rawBody);
  throw notRawBody(rawBody);
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
    throw explainMismatch(translate(e), body.toString('utf8'));
  }
}

module.exports = { verifyWebhook };
