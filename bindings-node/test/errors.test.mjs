// Every error class with its fields, every conformance vector, bad input refused before sending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as narvar from 'narvar';
import { withSandbox, order, aReturn, vectors, nativeOf, replayVector } from './helpers.mjs';

const { native, errors } = nativeOf();

async function rejects(promise, Class) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Class, `${e?.name}: ${e?.message} is not a ${Class.name}`);
    assert.ok(e instanceof narvar.NarvarError && e instanceof Error);
    assert.equal(e.name, Class.name);
    return e;
  }
  assert.fail(`expected ${Class.name}`);
}

test('each error class, raised with its fields', () => withSandbox(async (sb, client) => {
  const v = await rejects(client.orders.create(order('1', { order_items: [{ sku: 'A', quantity: 0 }] })), narvar.ValidationError);
  assert.deepEqual(v.fieldErrors.map((f) => [f.path, f.rule]), [
    ['order_info.order_items[0].quantity', 'min'],
    ['order_info.shipments[0].items_info', 'exceeds_ordered'],
  ]);
  assert.equal(v.code, 'validation');
  const nf = await rejects(client.orders.get('nope'), narvar.NotFoundError);
  assert.equal(nf.status, 200);
  assert.match(nf.requestId, /^req_/);
  assert.equal(nf.messages[0].code, 'order.not_found');
  assert.equal(nf.operation, 'orders.get');
  const wrong = new narvar.Client({ accountId: 'acme', authToken: 'tok_wrong', baseUrl: sb.url, rateBudget: false });
  const au = await rejects(wrong.orders.get('1'), narvar.AuthenticationError);
  assert.equal(au.status, 401);
  for (const shown of [au.message, au.stack, inspect(au), inspect(wrong), JSON.stringify(au)]) assert.ok(!shown.includes('tok_wrong'), shown);
  const acc = { carrier_moniker: 'gls', capabilities: ['returns_label'], products: ['returns'], account_alias: 'a',
    credentials: { username: 'u', password: 'pw_secret_9', shipper_contact_id: '1' } };
  await client.carrierAccounts.create(acc);
  const conflict = await rejects(client.carrierAccounts.create(acc), narvar.ConflictError);
  assert.ok(!inspect(conflict).includes('pw_secret_9'));
  sb.fault('orders.get', 'status', { status: 429, retry_after: 2, times: 1 });
  const rl = await rejects(sb.client({ maxAttempts: 1, rateBudget: false }).orders.get('1'), narvar.RateLimitError);
  assert.deepEqual([rl.code, rl.status, rl.retryAfter], ['rate_limited', 429, 2]);
  sb.fault('orders.get', 'status', { status: 503, times: 1 });
  await rejects(sb.client({ maxAttempts: 1, rateBudget: false }).orders.get('1'), narvar.ServerError);
  await client.orders.create(order('1001'));
  sb.fault('returns.create', 'drop_after', { times: 1 });
  const tr = await rejects(client.returns.create(aReturn('1001')), narvar.TransportError);
  assert.equal(tr.mayHaveBeenSent, true);
  assert.throws(() => new narvar.Client({ baseUrl: sb.url }), (e) => e instanceof narvar.ConfigurationError
    && /NARVAR_ACCOUNT_ID/.test(e.message) && /errors\.test\.mjs/.test(e.stack.split('\n')[1]));
  // Half of a credential pair is refused when the client is made, named as JavaScript spells it.
  assert.throws(() => new narvar.Client({ baseUrl: sb.url, accountId: 'acme', bearerToken: 'b' }), (e) => e instanceof narvar.ConfigurationError
    && e.message === 'accountId and authToken go together (HTTP Basic credentials): authToken is missing.');
  assert.throws(() => new narvar.Client({ baseUrl: sb.url, bearerToken: 'b', hmacKey: 'k' }), (e) => e instanceof narvar.ConfigurationError
    && e.message === 'hmacKey needs retailerMoniker: the track-by-order token is signed for one retailer.');
  assert.throws(() => native.readResponse('orders.get', 200, [], Buffer.from('<html>')), (e) => errors.translate(e) instanceof narvar.DecodeError);
  assert.throws(() => native.readResponse('orders.get', 403, [], Buffer.alloc(0)), (e) => errors.translate(e) instanceof narvar.PermissionError);
}));

test('one error class per stable code of the core', () => {
  const classes = Object.values(narvar).filter((v) => typeof v === 'function' && v.prototype instanceof narvar.NarvarError);
  assert.deepEqual(classes.map((c) => c.code).sort(), [...native.errorCodes()].sort());
});

test('a closed client rejects with ConfigurationError', () => withSandbox(async (sb) => {
  const c = sb.client({ rateBudget: false });
  c.close();
  assert.equal(c.closed, true);
  const e = await rejects(c.orders.get('1'), narvar.ConfigurationError);
  assert.match(e.message, /closed/);
}));

test('stack traces start at the caller', () => withSandbox(async (_sb, client) => {
  async function lookUpMissingOrder() {
    return client.orders.get('nope');
  }
  const e = await rejects(lookUpMissingOrder(), narvar.NotFoundError);
  const frames = e.stack.split('\n').slice(1);
  assert.match(frames[0], /errors\.test\.mjs/, e.stack);
  assert.ok(!e.stack.includes('lib/client.js') && !e.stack.includes('lib/errors.js'), e.stack);
}));

test('unknown or mistyped client options are ConfigurationErrors naming them', () => {
  const e = (options) => {
    try {
      new narvar.Client(options);
    } catch (err) {
      return err;
    }
    assert.fail('expected an error');
  };
  const typo = e({ accountId: 'a', authToken: 't', timeOutMs: 5 });
  assert.ok(typo instanceof narvar.ConfigurationError);
  assert.match(typo.message, /timeOutMs.*Did you mean timeoutMs\?/);
  const bad = e({ maxAttempts: 'three' });
  assert.ok(bad instanceof narvar.ConfigurationError);
  assert.match(bad.message, /maxAttempts/);
  assert.match(e({ timeoutMs: -1 }).message, /timeoutMs setting must be a number of milliseconds/);
  assert.match(e({ environment: 'mars' }).message, /environment "mars" is unknown/);
  assert.match(e({ accountId: 'a', authToken: 't', rateBudget: '100 per minute' }).message, /not of the form "120\/2s"/);
  const redis = e({ accountId: 'a', authToken: 't', rateBudgetRedis: 'http://:hunter2@cache.internal' });
  assert.ok(redis instanceof narvar.ConfigurationError);
  assert.match(redis.message, /rate_budget_redis/);
  assert.doesNotMatch(redis.message + redis.stack + inspect(redis), /hunter2/);
  assert.match(e({ accountId: 'a', authToken: 't', rateBudgetRedis: 'redis://127.0.0.1:9', rateBudgetWorkers: 0 }).message, /rate_budget_workers/);
  assert.match(e({ accountId: 'a', authToken: 't', rateBudgetRedi: 'redis://x' }).message, /Did you mean rateBudgetRedis\?/);
});

test("with the shared budget's Redis away, calls go on within the worker's share", () => withSandbox(async (sb) => {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  const [account] = sb.accounts;
  const c = new narvar.Client({ baseUrl: sb.url, accountId: account.account_id, authToken: account.auth_token,
    rateBudget: '1000/1s', rateBudgetRedis: 'redis://:hunter2@127.0.0.1:9', rateBudgetWorkers: 4 });
  await c.orders.create(order('1001'));
  assert.equal((await c.orders.get('1001')).order_number, '1001');
  await new Promise((resolve) => setTimeout(resolve, 50)); // warnings are emitted on a later tick
  process.off('warning', onWarning);
  // ... and Node hears of it once, as a NarvarWarning, without the password.
  const said = warnings.filter((w) => w.name === 'NarvarWarning' && /does not answer/.test(w.message));
  assert.equal(said.length, 1, warnings.map(String).join('\n'));
  assert.doesNotMatch(said[0].message, /hunter2/);
}));

const CASES = vectors();

test(`all ${CASES.length} conformance vectors replay through the package`, async (t) => {
  assert.ok(CASES.length >= 124);
  for (const c of CASES) {
    await t.test(c.name, () => replay(c));
  }
});

function replay(c) {
  replayVector(c, {
    build: (op, input, ctx) => call(() => JSON.parse(native.buildRequest(op, JSON.stringify(input), JSON.stringify(ctx)))),
    read: (op, status, headers, body) => call(() => JSON.parse(native.readResponse(op, status, headers, Buffer.from(body)))),
  }, narvar.NarvarError);
}

function call(f) {
  try {
    return { value: f() };
  } catch (e) {
    return { error: errors.translate(e) };
  }
}

const SEND = { 'orders.create': (cl, i) => cl.orders.create(i) };

test('every bad-input vector is a ValidationError with the core\'s paths, and nothing is sent', () => withSandbox(async (sb, client) => {
  const bad = CASES.filter((c) => c.expect_request === null && c.expect_error.code === 'validation');
  assert.ok(bad.length >= 30);
  for (const c of bad) {
    const e = await rejects(client._call(c.operation, c.input), narvar.ValidationError);
    const key = (f) => `${f.path} ${f.rule}`;
    assert.deepEqual(e.fieldErrors.map(key).sort(), c.expect_error.field_errors.map(key).sort(), c.name);
  }
  const e = await rejects(SEND['orders.create'](client, { order_number: '' }), narvar.ValidationError);
  assert.ok(e.fieldErrors.length > 0);
  assert.deepEqual(sb.requests(), [], 'no bad input reached the sandbox');
}));

test('values that are not JSON data are TypeErrors naming the path, before anything is sent', () => withSandbox(async (sb, client) => {
  const cyclic = { sku: 'A', quantity: 1 };
  cyclic.self = cyclic;
  const cases = [
    [{ order_number: '1', order_items: [{ sku: 'A', quantity: 10n }] }, /^order_info\.order_items\[0\]\.quantity: the BigInt 10n is not JSON data/],
    [{ order_number: '1', attributes: { f: () => 1 } }, /^order_info\.attributes\.f: a function is not JSON data/],
    [{ order_number: '1', attributes: { s: Symbol('x') } }, /^order_info\.attributes\.s: a symbol/],
    [{ order_number: '1', order_items: [cyclic] }, /^order_info\.order_items\[0\]\.self: a cycle/],
    [{ order_number: '1', order_items: [{ sku: 'A', quantity: 1, unit_price: NaN }] }, /unit_price: NaN is not a JSON number/],
    [{ order_number: '1', order_date: new Date('nope') }, /order_date: an invalid Date/],
    [{ order_number: '1', attributes: new Map() }, /attributes: a Map is not JSON data/],
    [{ order_info: { order_number: '1', order_date: () => 0 } }, /^order_info\.order_date: a function/],
    [{ order_number: '1', attributes: Object.assign(Object.create(null), { n: 1n }) }, /^order_info\.attributes\.n: the BigInt 1n/],
    [{ order_number: '1', attributes: { bytes: new Uint8Array(2) } }, /^order_info\.attributes\.bytes: binary data is not JSON data/],
  ];
  let deep = {};
  for (let i = 0; i < 20000; i++) deep = { a: deep };
  // Deeper than the core's JSON readers go (`codec::MAX_NESTING`, 127 levels): named, however deep.
  cases.push([{ order_number: '1', attributes: deep }, /^order_info\.attributes(\.a){126}: nested more than 127 levels deep/]);
  for (const [input, message] of cases) {
    await assert.rejects(client.orders.create(input), (e) => e instanceof TypeError && message.test(e.message));
  }
  await assert.rejects(client.orders.get('1', { timeOut: 5 }), /There is no call option timeOut\. Did you mean timeoutMs\?/);
  assert.deepEqual(sb.requests(), [], 'nothing was sent');
}));
