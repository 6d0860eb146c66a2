'use strict';
// What every JavaScript client of narvar does around a native call (the Node addon, the wasm
// package): options split into API fields and per-call options, per-call options checked,
// input as JSON text under its operation's root, metadata kept off the result's JSON, stacks
// starting at the caller. No native code and no Node API here: the wasm package runs it in
// browsers and edge runtimes too.

const { toJson } = require('./json');

const CALL_OPTIONS = ['signal', 'timeoutMs', 'idempotencyKey', 'tracerId'];

/** `{ fields, call }`: an options argument split into API fields and per-call options. */
function split(options) {
  if (options == null) return { fields: {}, call: undefined };
  if (typeof options !== 'object') throw new TypeError(`options must be an object, not ${typeof options}`);
  const fields = { ...options };
  const call = {};
  for (const k of CALL_OPTIONS) {
    if (k in fields) {
      call[k] = fields[k];
      delete fields[k];
    }
  }
  return { fields, call };
}

/** What came back with a result or an error: status, headers, request and tracer ids, attempts. */
function responseMeta(metaText) {
  const m = JSON.parse(metaText);
  return {
    status: m.status ?? null,
    headers: Object.fromEntries(m.headers ?? []),
    requestId: m.request_id ?? null,
    tracerId: m.tracer_id ?? null,
    attempts: m.attempts ?? 0,
  };
}

/** Puts `lastResponse` on a result without it showing in `JSON.stringify` or `structuredClone`. */
function withResponse(value, metaText) {
  if (value === null || typeof value !== 'object') return value;
  let meta;
  Object.defineProperty(value, 'lastResponse', {
    get: () => (meta ??= responseMeta(metaText)),
    enumerable: false,
    configurable: true,
  });
  return value;
}

/** The per-call options `{ timeoutMs, idempotencyKey, tracerId }` checked (`signal` is the caller's). */
function callSettings(call) {
  if (call != null && typeof call !== 'object') throw new TypeError(`options must be an object, not ${typeof call}`);
  for (const k of Object.keys(call ?? {})) {
    if (!CALL_OPTIONS.includes(k)) {
      const near = CALL_OPTIONS.find((o) => o.toLowerCase().startsWith(k.toLowerCase().slice(0, 4)));
      throw new TypeError(`There is no call option ${k}.${near ? ` Did you mean ${near}?` : ''} The options are ${CALL_OPTIONS.join(', ')}.`);
    }
  }
  const { timeoutMs, idempotencyKey, tracerId } = call ?? {};
  for (const [name, v, type] of [['timeoutMs', timeoutMs, 'number'], ['idempotencyKey', idempotencyKey, 'string'], ['tracerId', tracerId, 'string']]) {
    if (v != null && typeof v !== type) throw new TypeError(`${name} must be a ${type}, not ${typeof v}`);
  }
  return { timeoutMs: timeoutMs ?? undefined, idempotencyKey: idempotencyKey ?? undefined, tracerId: tracerId ?? undefined };
}

/** A function giving the input field an operation's errors are named under (`order_info`). */
function rootsOf(operationsJson) {
  let roots = null;
  return (operation) => {
    roots ??= new Map(JSON.parse(operationsJson()).map((o) => [o.name, o.input_root]));
    return roots.get(operation) ?? '';
  };
}

/** An operation's input as JSON text; given as the wire envelope (`{ order_info: {...} }`), it names its root already. */
function inputJson(input, root) {
  const enveloped = root && input && typeof input === 'object' && Object.keys(input).length === 1 && root in input;
  return toJson(input, enveloped ? '' : root);
}

/** The error with its stack starting at the caller's frame (no narvar internals on top). */
function atCaller(err, above) {
  if (err instanceof Error && typeof Error.captureStackTrace === 'function') Error.captureStackTrace(err, above);
  return err;
}

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

/** Whether a body's text reads as compact JSON: what `JSON.stringify` writes after a parse. */
function looksReserialized(text) {
  try {
    return JSON.stringify(JSON.parse(text)) === text && /[{,]"[^"]+":/.test(text);
  } catch {
    return false;
  }
}

/** Says so on a signature mismatch when the body looks re-serialized (a parsed body's bytes changed). */
function explainMismatch(err, bodyText) {
  if (err?.messages?.[0]?.code === 'signature_mismatch' || /signature does not match/.test(err?.message ?? '')) {
    if (looksReserialized(bodyText)) {
      err.message += ' The body is compact JSON, as JSON.stringify writes it: if it was parsed and re-serialized ' +
        '(express.json(), a logging middleware), its bytes changed. Verify the raw body (express.raw(), request.arrayBuffer()).';
    }
  }
  return err;
}

/** Why a webhook body cannot be verified: it must be the bytes as received. */
function notRawBody(rawBody) {
  const what = rawBody === null ? 'null' : typeof rawBody === 'object' ? 'a parsed object' : typeof rawBody;
  return new TypeError(
    `verifyWebhook needs the body exactly as received (bytes or a string), not ${what}: a body parsed and ` +
    're-serialized has other bytes than the ones Narvar signed. With Express, use express.raw({ type: "application/json" }) ' +
    'on this route; with fetch-style handlers, await request.arrayBuffer().',
  );
}

module.exports = {
  CALL_OPTIONS, split, responseMeta, withResponse, callSettings, rootsOf, inputJson, atCaller,
  flatHeaders, explainMismatch, notRawBody,
};
