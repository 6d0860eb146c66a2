'use strict';
// `Sandbox`: the fake Narvar in-process on 127.0.0.1, driven through the native half (no admin
// HTTP round trips). Its threads never keep Node alive.

const native = require('./native');
const { Client } = require('./client');

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

class Sandbox {
  #native;
  #clients = new Set();

  /** Starts one: `await Sandbox.start()`; `{ port, seed, rateLimit }`. */
  static async start(options = {}) {
    const { port, seed, rateLimit, ...rest } = options;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new TypeError(`There is no sandbox option ${unknown[0]}: the options are port, seed, rateLimit.`);
    const sb = new Sandbox(start);
    sb.#native = native.NativeSandbox.start({ port, seed, rateLimit });
    return sb;
  }

  constructor(token) {
    if (token !== start) throw new TypeError('Use `await Sandbox.start()`.');
  }

  get url() {
    return this.#native.url;
  }

  /** The test accounts and their current credentials. */
  get accounts() {
    return JSON.parse(this.#native.accounts());
  }

  /**
   * A `Client` for account `account` (default 0), with the settings a client built by hand has:
   * the rate budget of 100 requests per 60 s is on, as against Narvar (`rateBudget: false` for
   * tests that must not wait). Closed when the sandbox is.
   */
  client(options = {}) {
    const { account = 0, ...overrides } = options;
    const a = this.accounts[account];
    if (!a) throw new RangeError(`The sandbox has no account ${account}.`);
    const c = new Client({
      accountId: a.account_id, authToken: a.auth_token, bearerToken: a.bearer_token, retailerMoniker: a.retailer_moniker,
      hmacKey: a.hmac_key, baseUrl: this.url, origin: 'http://127.0.0.1', ...overrides,
    });
    this.#clients.add(new WeakRef(c));
    return c;
  }

  /** Moves the simulated clock forward: `{ seconds, hours, days }`. */
  advance({ seconds = 0, hours = 0, days = 0 } = {}) {
    this.#native.advance(seconds + hours * 3600 + days * 86400);
  }

  /**
   * Adds a fault rule for `operation`: `kind` is status, delay, stall_body, drop_before,
   * drop_after or expire_credentials; `rule` takes status, retry_after, delay_ms, probability,
   * seed, times. Its id.
   */
  fault(operation, kind, rule = {}) {
    return this.#native.addFault(JSON.stringify({ ...rule, operation, kind }));
  }

  clearFaults() {
    this.#native.clearFaults();
  }

  /** The requests the sandbox received (credentials redacted), optionally of one operation. */
  requests(operation) {
    const all = JSON.parse(this.#native.requests());
    return operation ? all.filter((r) => r.operation === operation) : all;
  }

  /** Registers `url` for the sandbox's webhooks, signed with `{ secret }` or Basic `{ username, password }`. */
  webhook(url, auth, { topics = [], account = 0 } = {}) {
    const a = this.accounts[account];
    if (!a) throw new RangeError(`The sandbox has no account ${account}.`);
    const how = auth?.secret ? { auth: 'hmac', secret: auth.secret } : { auth: 'basic', username: auth?.username, password: auth?.password };
    return JSON.parse(this.#native.addWebhook(JSON.stringify({ url, topics, account_id: a.account_id, ...how })));
  }

  /** The events raised so far, optionally of one topic. */
  events(topic) {
    return JSON.parse(this.#native.events(topic));
  }

  reset() {
    this.#native.reset();
  }

  /** The token the admin routes (`/_sandbox/...`) want in `x-sandbox-admin-token`. */
  get adminToken() {
    return this.#native.adminToken;
  }

  /** Stops the sandbox and closes the clients it made (their later calls reject with `ConfigurationError`). */
  async close() {
    for (const ref of this.#clients) ref.deref()?.close();
    this.#clients.clear();
    this.#native?.stop();
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }

  [INSPECT]() {
    return `Sandbox { url: ${JSON.stringify(this.#native?.url ?? null)} }`;
  }
}

function start() {}

module.exports = { Sandbox };
