'use strict';
// `Client`: one native call per operation. Arguments become JSON text here, results come back
// as JSON text and are parsed with `JSON.parse`; all API knowledge is in the Rust core.

const native = require('./native');
const { translate, abortError } = require('./errors');
const { toJson, useNestingLimit } = require('./json');

useNestingLimit(() => native.maxNesting(), () => native.tooDeep());
const { attachNamespaces } = require('./api');
const { split, withResponse, callSettings, rootsOf, inputJson, atCaller } = require('./calls');

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Marks the options `Client.fromEnv` passes on (a symbol: never a setting, never serialized).
const FROM_ENV = Symbol('narvar.fromEnv');
let lastCallId = 0;
const rootOf = rootsOf(() => native.operations());

// Calls settle through one native callback (`onSettled`), keyed by call id. While any is pending,
// a ref'd timer handle keeps Node alive (the native callback is weak); none is kept otherwise.
const pending = new Map();
const keepAlive = setInterval(() => {}, 0x7fffffff);
keepAlive.unref();

function forget(id) {
  pending.delete(id);
  if (pending.size === 0) keepAlive.unref();
}

native.onSettled((id, ok, text, meta) => {
  const call = pending.get(id);
  if (!call) return; // aborted: rejected already
  forget(id);
  if (ok) call.resolve({ text, meta });
  else call.reject({ narvar: text });
});

function nextCallId() {
  lastCallId = (lastCallId % 0xfffffffe) + 1;
  return lastCallId;
}

/**
 * Starts a native call (`start(id)`) and waits for its outcome; aborting `signal` rejects at
 * once and drops the call's request.
 */
function settled(start, signal) {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const id = nextCallId();
  const outcome = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  if (pending.size === 1) keepAlive.ref();
  try {
    start(id);
  } catch (e) {
    forget(id);
    return Promise.reject(e);
  }
  if (!signal) return outcome;
  const onAbort = () => {
    const call = pending.get(id);
    if (!call) return;
    forget(id);
    native.cancel(id);
    call.reject(abortError(signal));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const done = () => signal.removeEventListener('abort', onAbort);
  outcome.then(done, done);
  return outcome;
}

class Client {
  #native;

  /**
   * @param {object} [options] accountId, authToken, bearerToken, retailerMoniker, hmacKey,
   *   baseUrl or environment, origin, timeoutMs, maxAttempts, rateBudget, rateBudgetRedis,
   *   rateBudgetWorkers, userAgentSuffix.
   */
  constructor(options = {}) {
    const fromEnv = options?.[FROM_ENV] === true;
    try {
      this.#native = newNative(options, fromEnv);
    } catch (e) {
      throw atCaller(e, fromEnv ? Client.fromEnv : Client);
    }
    attachNamespaces(this, split);
  }

  /** A client configured from the `NARVAR_*` environment variables, then `options`. */
  static fromEnv(options = {}) {
    return new Client({ ...options, [FROM_ENV]: true });
  }

  /** Runs an operation of the registry by name with its JSON input (what the methods call). */
  async _call(operation, input, call) {
    const text = inputJson(input, rootOf(operation));
    const settings = callSettings(call);
    let answer;
    try {
      answer = await settled((id) => this.#native.call(operation, text, settings, id), call?.signal);
    } catch (e) {
      throw atCaller(translate(e), Client.prototype._call);
    }
    return withResponse(JSON.parse(answer.text), answer.meta);
  }

  /**
   * What the API has sent this client that this SDK does not know: one entry per operation, JSON
   * path and kind (`field` or `enum_value`, with the `value`), with its `count` and the
   * `first_request_id` that carried it. Empty while the API matches the SDK.
   */
  drift() {
    try {
      return JSON.parse(this.#native.drift());
    } catch (e) {
      throw atCaller(translate(e), Client.prototype.drift);
    }
  }

  /** The journey of an order: the order, its tracking, the returns this client made for it. */
  async journey(orderNumber, options = {}) {
    if (typeof orderNumber !== 'string') throw new TypeError(`orderNumber must be a string, not ${typeof orderNumber}`);
    try {
      return JSON.parse((await settled((id) => this.#native.journey(orderNumber, id), options.signal)).text);
    } catch (e) {
      throw atCaller(translate(e), Client.prototype.journey);
    }
  }

  /** Downloads a label from its `label_url`: `{ contentType, bytes }` (no credentials sent). */
  async _downloadLabel(labelUrl, call) {
    const settings = callSettings(call);
    try {
      const r = await settled((id) => this.#native.downloadLabel(labelUrl, settings, id), call?.signal);
      const file = JSON.parse(r.text);
      return withResponse({ contentType: file.content_type ?? null, bytes: new Uint8Array(Buffer.from(file.base64, 'base64')) }, r.meta);
    } catch (e) {
      throw atCaller(translate(e), Client.prototype._downloadLabel);
    }
  }

  /** Frees the connection pool; later calls reject with `ConfigurationError`. */
  close() {
    this.#native.close();
  }

  get closed() {
    return this.#native.closed;
  }

  [INSPECT]() {
    return `Client { closed: ${this.closed} }`;
  }
}

function newNative(options, fromEnv) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('Client options must be an object');
  }
  const settings = toJson(options, '');
  try {
    return new native.NativeClient(settings, fromEnv);
  } catch (e) {
    throw translate(e);
  }
}

module.exports = { Client };
