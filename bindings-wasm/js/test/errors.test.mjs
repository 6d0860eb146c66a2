// The wasm package's errors: the Node package's classes, codes and fields; every conformance
// vector; bad input refused before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wasm from 'narvar-wasm';
import { order, aReturn, vectors, replayVector } from './helpers.mjs';
import { withWasm, clientFor, rejects as rejectsWith } from './wasm-helpers.mjs';

const rejects = (promise, Class) => rejectsWith(promise, Class, wasm.NarvarError);

test('each error class, raised with its fields', () => withWasm(async (sb, client) => {
  const v = await rejects(client.orders.create(order('1', { order_items: [{ sku: 'A', quantity: 0 }] })), wasm.ValidationError);
  assert.deepEqual(v.fieldErrors.map((f) => [f.path, f.rule]), [
    ['order_info.order_items[0].quantity', 'min'],
    ['order_info.shipments[0].items_info', 'exceeds_ordered'],
  ]);
  const nf = await rejects(client.orders.get('nope'), wasm.NotFoundError);
  assert.deepEqual([nf.code, nf.status, nf.operation, nf.messages[0].code], ['not_found', 200, 'orders.get', 'order.not_found']);
  assert.match(nf.requestId, /^req_/);
  const wrong = new wasm.Client({ accountId: 'acme', authToken: 'tok_wrong', baseUrl: sb.url, rateBudget: false });
  const au = await rejects(wrong.orders.get('1'), wasm.AuthenticationError);
  assert.equal(au.status, 401);
  for (const shown of [au.message, au.stack, JSON.stringify(au), JSON.stringify(wrong)]) assert.ok(!shown.includes('tok_wrong'), shown);
  const acc = { carrier_moniker: 'gls', capabilities: ['returns_label'], products: ['returns'], account_alias: 'a',
    credentials: { username: 'u', password: 'pw_secret_9', shipper_contact_id: '1' } };
  await client.carrierAccounts.create(acc);
  const conflict = await rejects(client.carrierAccounts.create(acc), wasm.ConflictError);
  assert.ok(!JSON.stringify({ ...conflict, message: conflict.message }).includes('pw_secret_9'));
  sb.fault('orders.get', 'status', { status: 429, retry_after: 2, times: 1 });
  const rl = await rejects(clientFor(sb, { maxAttempts: 1 }).orders.get('1'), wasm.RateLimitError);
  assert.deepEqual([rl.code, rl.status, rl.retryAfter], ['rate_limited', 429, 2]);
  sb.fault('orders.get', 'status', { status: 503, times: 1 });
  await rejects(clientFor(sb, { maxAttempts: 1 }).orders.get('1'), wasm.ServerError);
  await client.orders.create(order('1001'));
  sb.fault('returns.create', 'drop_after', { times: 1 });
  const tr = await rejects(client.returns.create(aReturn('1001')), wasm.TransportError);
  assert.equal(tr.mayHaveBeenSent, true);
  assert.throws(() => new wasm.Client({ baseUrl: sb.url }), (e) => e instanceof wasm.ConfigurationError && /NARVAR_ACCOUNT_ID/.test(e.message));
  // Half of a credential pair: the same error as the Node package's.
  assert.throws(() => new wasm.Client({ baseUrl: sb.url, accountId: 'acme', bearerToken: 'b' }), (e) => e instanceof wasm.ConfigurationError
    && e.message === 'accountId and authToken go together (HTTP Basic credentials): authToken is missing.');
  assert.throws(() => new wasm.Client({ baseUrl: sb.url, bearerToken: 'b', hmacKey: 'k' }), (e) => e instanceof wasm.ConfigurationError
    && e.message === 'hmacKey needs retailerMoniker: the track-by-order token is signed for one retailer.');
  assert.throws(() => wasm._conformance.readResponse('orders.get', 200, [], new TextEncoder().encode('<html>')), (e) => wasm.translate(e) instanceof wasm.DecodeError);
  assert.throws(() => wasm._conformance.readResponse('orders.get', 403, [], new Uint8Array()), (e) => wasm.translate(e) instanceof wasm.PermissionError);
}));

test('one error class per stable code of the core, as in the Node package', async () => {
  const classes = Object.values(wasm).filter((v) => typeof v === 'function' && v.prototype instanceof wasm.NarvarError);
  assert.deepEqual(classes.map((c) => c.code).sort(), [...wasm.errorCodes()].sort());
  const node = await import('narvar');
  assert.deepEqual(classes.map((c) => c.name).sort(), Object.values(node).filter((v) => typeof v === 'function' && v.prototype instanceof node.NarvarError).map((c) => c.name).sort());
});

test('a closed client rejects with ConfigurationError; stacks start at the caller', () => withWasm(async (sb, client) => {
  async function lookUpMissingOrder() {
    return client.orders.get('nope');
  }
  const e = await rejects(lookUpMissingOrder(), wasm.NotFoundError);
  assert.match(e.stack.split('\n')[1], /errors\.test\.mjs/, e.stack);
  const c = clientFor(sb);
  c.close();
  assert.equal(c.closed, true);
  assert.match((await rejects(c.orders.get('1'), wasm.ConfigurationError)).message, /closed/);
}));

test('unknown or mistyped client options are ConfigurationErrors naming them', () => {
  const e = (options) => {
    try {
      new wasm.Client(options);
    } catch (err) {
      return err;
    }
    assert.fail('expected an error');
  };
  const typo = e({ accountId: 'a', authToken: 't', timeOutMs: 5 });
  assert.ok(typo instanceof wasm.ConfigurationError);
  assert.match(typo.message, /timeOutMs.*Did you mean timeoutMs\?/);
  assert.match(e({ maxAttempts: 'three' }).message, /maxAttempts/);
  assert.match(e({ accountId: 'a', authToken: 't', timeoutMs: -1 }).message, /timeoutMs setting must be a number of milliseconds/);
  assert.match(e({ environment: 'mars' }).message, /environment "mars" is unknown/);
  assert.match(e({ accountId: 'a', authToken: 't', rateBudget: '100 per minute' }).message, /not of the form "120\/2s"/);
  assert.match(e({ proxied: true }).message, /proxied client needs baseUrl/);
  assert.equal(e({ accountId: 'a' }).message, 'accountId and authToken go together (HTTP Basic credentials): authToken is missing.');
  assert.match(e({ proxid: true }).message, /Did you mean proxied\?/);
});

const CASES = vectors();

test(`all ${CASES.length} conformance vectors replay through the package`, async (t) => {
  assert.ok(CASES.length >= 124);
  const call = (f) => {
    try {
      return { value: f() };
    } catch (e) {
      return { error: wasm.translate(e) };
    }
  };
  const io = {
    build: (op, input, ctx) => call(() => wasm._conformance.buildRequest(op, input, ctx)),
    read: (op, status, headers, body) => call(() => wasm._conformance.readResponse(op, status, headers, body)),
  };
  for (const c of CASES) await t.test(c.name, () => replayVector(c, io, wasm.NarvarError));
});

test('every bad-input vector is a ValidationError with the core\'s paths, validate() gives the same, and nothing is sent', () => withWasm(async (sb, client) => {
  const bad = CASES.filter((c) => c.expect_request === null && c.expect_error.code === 'validation');
  assert.ok(bad.length >= 30);
  const key = (f) => `${f.path} ${f.rule}`;
  for (const c of bad) {
    const e = await rejects(client._call(c.operation, c.input), wasm.ValidationError);
    assert.deepEqual(e.fieldErrors.map(key).sort(), c.expect_error.field_errors.map(key).sort(), c.name);
    assert.deepEqual(wasm.validate(c.operation, c.input).map(key).sort(), c.expect_error.field_errors.map(key).sort(), c.name);
  }
  assert.deepEqual(wasm.validate('orders.create', order('1001')), []);
  // Nested deeper than the core reads JSON: refused with its path, not called valid (and no
  // JavaScript stack overflow, however deep).
  for (const depth of [200, 20000]) {
    let deep = {};
    for (let i = 0; i < depth; i++) deep = { a: deep };
    assert.throws(() => wasm.validate('orders.create', { ...order('1001'), attributes: deep }),
      (e) => e instanceof TypeError && /^order_info\.attributes(\.a){126}: nested more than 127 levels deep/.test(e.message));
  }
  // One object in two places is not a cycle.
  const shared = { colour: 'blue' };
  assert.deepEqual(wasm.validate('orders.create', { ...order('1001'), attributes: { a: shared, b: [shared, { c: shared }] } }), []);
  assert.throws(() => wasm.validate('orders.teleport', {}), wasm.ConfigurationError);
  assert.deepEqual(sb.requests(), [], 'no bad input reached the sandbox');
}));

test('values that are not JSON data are TypeErrors naming the path, before anything is sent', () => withWasm(async (sb, client) => {
  const cyclic = { sku: 'A', quantity: 1 };
  cyclic.self = cyclic;
  const cases = [
    [{ order_number: '1', order_items: [{ sku: 'A', quantity: 10n }] }, /^order_info\.order_items\[0\]\.quantity: the BigInt 10n is not JSON data/],
    [{ order_number: '1', attributes: { f: () => 1 } }, /^order_info\.attributes\.f: a function is not JSON data/],
    [{ order_number: '1', attributes: { s: Symbol('x') } }, /^order_info\.attributes\.s: a symbol/],
    [{ order_number: '1', order_items: [cyclic] }, /^order_info\.order_items\[0\]\.self: a cycle/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(client.orders.create(input), (e) => e instanceof TypeError && message.test(e.message));
  }
  await assert.rejects(client.orders.get('1', { timeOut: 5 }), /There is no call option timeOut\. Did you mean timeoutMs\?/);
  assert.deepEqual(sb.requests(), [], 'nothing was sent');
}));
