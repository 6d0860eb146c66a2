// The `narvar-wasm` package: the core (validation, requests, retries, the rate budget, errors)
// compiled to WebAssembly, over the host's `fetch`. The same surface in browsers, Node, Deno,
// Bun and workerd; each entry (entry-*.js) only loads the module its host's way.
import * as native from './narvar_wasm.js';
import { translate, abortError, ValidationError } from './shared/errors.js';
import { toJson, useNestingLimit } from './shared/json.js';
import { attachNamespaces } from './shared/api.js';
import { split, withResponse, callSettings, rootsOf, inputJson, atCaller, flatHeaders, explainMismatch, notRawBody } from './shared/calls.js';

export * from './shared/errors.js';

const rootOf = rootsOf(() => native.operations());
useNestingLimit(() => native.maxNesting(), () => native.tooDeep());
const SECRET_OPTIONS = ['authToken', 'bearerToken', 'hmacKey'];
let warnedAboutSecrets = false;

/** A page holding a secret gives it to every visitor: say so, once. */
function warnOnSecretsInPage(options) {
  const inPage = typeof globalThis.document !== 'undefined';
  const held = SECRET_OPTIONS.filter((k) => options[k] != null);
  if (inPage && held.length && !warnedAboutSecrets) {
    warnedAboutSecrets = true;
    console.warn(`narvar: ${held.join(', ')} given in a web page, where every visitor can read them. ` +
      'Use { proxied: true, baseUrl: <your backend> } and tracking grants instead (see the README).');
  }
}

// This package's own files: frames to drop from an error's stack, so it starts at the caller.
const OWN_FILES = (() => {
  try {
    return new URL('.', import.meta.url).href;
  } catch {
    return '\0'; // a host without import.meta.url (frames are then left as they are)
  }
})();

/**
 * The stack at a call's start (an async call's error is made after the caller's frames are gone):
 * an `Error` whose `stack` is read only when the call fails (engines format it on first read,
 * which costs more than the capture).
 */
function callSite() {
  return new Error();
}

/** `err` with the call site's stack, without this package's frames. */
function fromCaller(err, site) {
  const stack = site?.stack;
  if (!(err instanceof Error) || !stack) return err;
  const frames = stack.split('\n').slice(1).filter((line) => !line.includes(OWN_FILES));
  err.stack = `${err.name}: ${err.message}\n${frames.join('\n')}`;
  return err;
}

/**
 * Runs a native call, `start(aborted)`: `aborted` settles when `signal` aborts, and the native
 * side then drops the call (its `fetch` is aborted). The call rejects at once with an `AbortError`.
 */
async function run(start, signal) {
  if (!signal) return start(undefined);
  if (signal.aborted) throw abortError(signal);
  let release;
  let fail;
  const aborted = new Promise((resolve) => (release = resolve));
  const stopped = new Promise((_, reject) => (fail = reject));
  const onAbort = () => {
    release();
    fail(abortError(signal));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([start(aborted), stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export class Client {
  #native;

  /** @param {import('./index.js').ClientOptions} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError('Client options must be an object');
    }
    warnOnSecretsInPage(options);
    try {
      this.#native = new native.NativeClient(toJson(options, ''));
    } catch (e) {
      throw atCaller(translate(e), Client);
    }
    attachNamespaces(this, split);
  }

  /** Runs an operation of the registry by name with its JSON input (what the methods call). */
  async _call(operation, input, call) {
    const site = callSite();
    try {
      const text = inputJson(input, rootOf(operation));
      const s = callSettings(call);
      const [result, meta] = await run(
        (aborted) => this.#native.call(operation, text, s.timeoutMs, s.idempotencyKey, s.tracerId, aborted),
        call?.signal,
      );
      return withResponse(JSON.parse(result), meta);
    } catch (e) {
      throw fromCaller(translate(e), site);
    }
  }

  /** The journey of an order: the order, its tracking, the returns this client made for it. */
  async journey(orderNumber, options = {}) {
    if (typeof orderNumber !== 'string') throw new TypeError(`orderNumber must be a string, not ${typeof orderNumber}`);
    const site = callSite();
    try {
      return JSON.parse(await run((aborted) => this.#native.journey(orderNumber, aborted), options.signal));
    } catch (e) {
      throw fromCaller(translate(e), site);
    }
  }

  /** Downloads a label from its `label_url`: `{ contentType, bytes }` (no credentials sent). */
  async _downloadLabel(labelUrl, call) {
    const site = callSite();
    try {
      const s = callSettings(call);
      const [contentType, bytes, meta] = await run((aborted) => this.#native.downloadLabel(labelUrl, s.timeoutMs, aborted), call?.signal);
      return withResponse({ contentType, bytes }, meta);
    } catch (e) {
      throw fromCaller(translate(e), site);
    }
  }

  /** What the API has sent this client that this SDK does not know. */
  drift() {
    try {
      return JSON.parse(this.#native.drift());
    } catch (e) {
      throw atCaller(translate(e), Client.prototype.drift);
    }
  }

  /** Drops the client; later calls reject with `ConfigurationError`. */
  close() {
    this.#native.close();
  }

  get closed() {
    return this.#native.closed;
  }

  toJSON() {
    return { closed: this.closed };
  }
}

/**
 * Checks an operation's input as sending it would, with nothing sent: every field's problem
 * (`{ path, rule, message }`), or `[]` when it is valid.
 */
export function validate(operation, input) {
  try {
    native.check(operation, inputJson(input, rootOf(operation)));
    return [];
  } catch (e) {
    const err = translate(e);
    // A refusal that names no field is thrown: an empty list would say the input is valid.
    if (err instanceof ValidationError && err.fieldErrors.length > 0) return err.fieldErrors;
    throw atCaller(err, validate);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bodyBytes(rawBody) {
  if (typeof rawBody === 'string') return encoder.encode(rawBody);
  if (rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  throw notRawBody(rawBody);
}

/**
 * Checks a delivery's signature (`{ secret }`) or Basic credentials (`{ username, password }`)
 * and its timestamp (`toleranceSec`, default 300), then parses it.
 */
export function verifyWebhook(rawBody, headers, check = {}) {
  const body = bodyBytes(rawBody);
  try {
    return JSON.parse(native.verifyWebhook(flatHeaders(headers), body, toJson(check ?? {}, '')));
  } catch (e) {
    throw atCaller(explainMismatch(translate(e), decoder.decode(body)), verifyWebhook);
  }
}

/** On a backend: the grant that lets a page track one order without the HMAC key. */
export function trackingGrant(key, orderNumber, epoch) {
  try {
    return JSON.parse(native.trackingGrant(key?.retailerMoniker ?? '', key?.hmacKey ?? '', String(orderNumber ?? ''), epoch));
  } catch (e) {
    throw atCaller(translate(e), trackingGrant);
  }
}

/** On a backend proxy: `{ operation, input }` of a page's request, or `null` when it is no operation. */
export function identify(method, pathAndQuery, body = '') {
  try {
    const found = native.identify(String(method), String(pathAndQuery), bodyBytes(body));
    return found === null || found === undefined ? null : JSON.parse(found);
  } catch (e) {
    throw atCaller(translate(e), identify);
  }
}

/** The operations of the core's registry. */
export function operations() {
  return JSON.parse(native.operations()).map(({ input_root, ...info }) => info);
}

export function errorCodes() {
  return native.errorCodes();
}

/** Internal: the conformance replay's request builder and response reader. */
export const _conformance = {
  buildRequest: (op, input, context = {}) => JSON.parse(native.buildRequest(op, JSON.stringify(input), JSON.stringify(context))),
  readResponse: (op, status, headers, body) => JSON.parse(native.readResponse(op, status, headers, body)),
};

// Written by tools/build.mjs from the crate's version (the module is not loaded yet here).
export const version = '__NARVAR_VERSION__';
