// Cancellation, deadlines, webhooks from the sandbox, and a process that ends by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHmac } from 'node:crypto';
import * as narvar from 'narvar';
import { withSandbox, order, relay } from './helpers.mjs';

test('aborting during a stalled body rejects within 100 ms and closes the connection', () => withSandbox(async (sb) => {
  const r = await relay(sb.url);
  try {
    const client = sb.client({ rateBudget: false, baseUrl: r.url });
    await client.orders.create(order('1001'));
    sb.fault('orders.get', 'stall_body', { times: 1 });
    const controller = new AbortController();
    const pending = client.orders.get('1001', { signal: controller.signal });
    await new Promise((res) => setTimeout(res, 150)); // the headers are in, the body stalls
    const closedBefore = r.closed.length;
    const t0 = performance.now();
    controller.abort();
    const e = await pending.then(() => null, (err) => err);
    const took = performance.now() - t0;
    assert.equal(e?.name, 'AbortError');
    assert.ok(took < 100, `rejected after ${took.toFixed(1)} ms`);
    for (let i = 0; i < 50 && r.closed.length === closedBefore; i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(r.closed.length > closedBefore, 'the in-flight connection was closed');
    assert.ok(r.closed.at(-1) - t0 < 500);
    // An already-aborted signal sends nothing.
    const before = sb.requests().length;
    await assert.rejects(client.orders.get('1001', { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(sb.requests().length, before);
    // And the client goes on working.
    assert.equal((await client.orders.get('1001')).order_number, '1001');
  } finally {
    r.close();
  }
}));

test('timeoutMs bounds a call, retries included', () => withSandbox(async (sb, client) => {
  await client.orders.create(order('1001'));
  sb.fault('orders.get', 'delay', { delay_ms: 3000 });
  const t0 = performance.now();
  const e = await client.orders.get('1001', { timeoutMs: 200 }).then(() => null, (err) => err);
  const took = performance.now() - t0;
  assert.ok(e instanceof narvar.TransportError, String(e));
  assert.ok(took < 1500, `took ${took} ms`);
  await assert.rejects(client.orders.get('1001', { timeoutMs: 0 }), (err) => err instanceof narvar.ConfigurationError && /timeoutMs/.test(err.message));
  const slow = sb.client({ rateBudget: false, timeoutMs: 200 });
  await assert.rejects(slow.orders.get('1001'), narvar.TransportError);
}));

test('webhook deliveries from the sandbox verify; a re-serialized body is called out', () => withSandbox(async (sb, client) => {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    sb.webhook(`http://127.0.0.1:${server.address().port}/hooks`, { secret: 'whsec_node' });
    await client.orders.create(order('1001'));
    sb.advance({ hours: 41 });
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(received.length > 0, 'the sandbox delivered');
    const { headers, body } = received[0];
    const w = narvar.verifyWebhook(body, headers, { secret: 'whsec_node' });
    assert.ok(w.id && w.event.kind);
    assert.equal(sb.events().length >= received.length, true);
    assert.throws(() => narvar.verifyWebhook(body, headers, { secret: 'wrong' }), narvar.AuthenticationError);
    // A body as a framework re-serializes it (compact) no longer matches a signature made over
    // other bytes; the message says why.
    const pretty = Buffer.from(JSON.stringify({ order_number: '1001', return_reference_number: 'R1' }, null, 2));
    const signed = { 'x-narvar-topic': 'refunded', 'x-narvar-hmac-sha256': createHmac('sha256', 'whsec_node').update(pretty).digest('base64'),
      'x-narvar-timestamp': String(Math.floor(Date.now() / 1000)) };
    assert.equal(narvar.verifyWebhook(pretty, signed, { secret: 'whsec_node' }).event.kind, 'topic');
    const compact = JSON.stringify(JSON.parse(pretty.toString()));
    assert.throws(() => narvar.verifyWebhook(compact, signed, { secret: 'whsec_node' }),
      (err) => err instanceof narvar.AuthenticationError && /does not match/.test(err.message) && /re-serialized/.test(err.message));
    assert.throws(() => narvar.verifyWebhook(JSON.parse(body.toString()), headers, { secret: 'whsec_node' }),
      (err) => err instanceof TypeError && /exactly as received/.test(err.message) && /express\.raw/.test(err.message));
  } finally {
    server.close();
  }
}));

test('a script exits by itself within 1 s of its last call', async () => {
  const script = `
    const { Sandbox } = require('narvar');
    (async () => {
      const sb = await Sandbox.start();
      const c = sb.client({ rateBudget: false });
      await c.orders.create({ order_number: '1', order_date: '2026-11-20T10:00:00Z', order_items: [{ sku: 'A', quantity: 1 }] });
      await c.orders.get('1');
      process.stdout.write('done\\n');
    })();`;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  let doneAt = null;
  child.stdout.on('data', (d) => { if (String(d).includes('done')) doneAt = performance.now(); });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.ok(doneAt !== null, 'the script ran its calls');
  const lingered = performance.now() - doneAt;
  assert.ok(lingered < 1000, `the process lived ${lingered.toFixed(0)} ms after its last call`);
});

test('await using: Sandbox closes itself and the clients it made', async () => {
  const sb = await narvar.Sandbox.start();
  const c = sb.client({ rateBudget: false });
  await sb[Symbol.asyncDispose]();
  assert.equal(c.closed, true);
  await assert.rejects(c.orders.get('1'), narvar.ConfigurationError);
});

test('the client-side rate budget is on by default for sandbox clients, as against Narvar', () => withSandbox(async (sb) => {
  const c = sb.client();
  await c.orders.create(order('1001'));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 12 }, () => c.orders.get('1001')));
  assert.ok(performance.now() - t0 > 500, 'a burst over 10 waits for the budget');
}));

test('Client.fromEnv reads NARVAR_* variables, and options override them', () => withSandbox(async (sb) => {
  const a = sb.accounts[0];
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { NARVAR_BASE_URL: sb.url, NARVAR_ACCOUNT_ID: a.account_id, NARVAR_AUTH_TOKEN: a.auth_token });
    const c = narvar.Client.fromEnv({ rateBudget: false });
    await c.orders.create(order('E1'));
    assert.equal((await c.orders.get('E1')).order_number, 'E1');
    const wrong = narvar.Client.fromEnv({ accountId: a.account_id, authToken: 'tok_override', rateBudget: false });
    await assert.rejects(wrong.orders.get('E1'), narvar.AuthenticationError);
    delete process.env.NARVAR_AUTH_TOKEN;
    assert.throws(() => narvar.Client.fromEnv(), (e) => e instanceof narvar.ConfigurationError && /NARVAR_AUTH_TOKEN/.test(e.message));
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}));

test('webhooks with Basic credentials, and stale timestamps', () => {
  const body = JSON.stringify({ return_tracking_status: 'return_initiated_standard', order_number: '1' });
  const basic = { authorization: `Basic ${Buffer.from('narvar:pw').toString('base64')}` };
  assert.equal(narvar.verifyWebhook(body, basic, { username: 'narvar', password: 'pw' }).event.kind, 'standard_rma');
  assert.throws(() => narvar.verifyWebhook(body, basic, { username: 'narvar', password: 'nope' }), narvar.AuthenticationError);
  const sig = createHmac('sha256', 's').update(body).digest('base64');
  const stale = { 'x-narvar-hmac-sha256': sig, 'x-narvar-timestamp': '1000' };
  assert.throws(() => narvar.verifyWebhook(body, stale, { secret: 's' }), narvar.ValidationError);
  assert.equal(narvar.verifyWebhook(body, new Map(Object.entries({ 'x-narvar-hmac-sha256': sig })), { secret: 's' }).event.kind, 'standard_rma');
  assert.throws(() => narvar.verifyWebhook(body, basic, {}), narvar.ConfigurationError);
});

test('the drift report fills from a drifting sandbox', () => withSandbox(async (sb, client) => {
  await client.orders.create(order('1001'));
  await client.orders.get('1001');
  assert.deepEqual(client.drift(), []);
  const on = await fetch(`${sb.url}/_sandbox/drift`, { method: 'POST', body: '{"enabled": true}',
    headers: { 'content-type': 'application/json', 'x-sandbox-admin-token': sb.adminToken } });
  assert.equal(on.status, 200);
  const got = await client.orders.get('1001');
  const root = client.drift().find((d) => d.operation === 'orders.get' && d.path === 'sandbox_drift_note');
  assert.equal(root.kind, 'field');
  assert.equal(root.count, 1);
  assert.equal(root.first_request_id, got.lastResponse.requestId);
  assert.equal(got.sandbox_drift_note, 'added by /_sandbox/drift', 'the result keeps the unknown field');
}));
