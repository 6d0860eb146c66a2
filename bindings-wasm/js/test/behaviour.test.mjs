// Cancellation and deadlines over fetch, webhooks, the portal's way (a proxy adds the
// credentials; a grant tracks one order), and a process that ends by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as wasm from 'narvar-wasm';
import { order, aReturn, relay } from './helpers.mjs';
import { withWasm, clientFor } from './wasm-helpers.mjs';

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

test('aborting during a stalled body rejects within 100 ms and closes the connection', () => withWasm(async (sb) => {
  const r = await relay(sb.url);
  try {
    const client = clientFor(sb, { baseUrl: r.url });
    await client.orders.create(order('1001'));
    sb.fault('orders.get', 'stall_body', { times: 1 });
    const controller = new AbortController();
    const pending = client.orders.get('1001', { signal: controller.signal });
    await sleep(150); // the headers are in, the body stalls
    const closedBefore = r.closed.length;
    const t0 = performance.now();
    controller.abort();
    const e = await pending.then(() => null, (err) => err);
    const took = performance.now() - t0;
    assert.equal(e?.name, 'AbortError');
    assert.ok(took < 100, `rejected after ${took.toFixed(1)} ms`);
    for (let i = 0; i < 50 && r.closed.length === closedBefore; i++) await sleep(10);
    assert.ok(r.closed.length > closedBefore, 'the in-flight fetch was aborted and its connection closed');
    const before = sb.requests().length;
    await assert.rejects(client.orders.get('1001', { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(sb.requests().length, before, 'an aborted signal sends nothing');
    assert.equal((await client.orders.get('1001')).order_number, '1001');
  } finally {
    r.close();
  }
}));

test('timeoutMs bounds a call, retries included', () => withWasm(async (sb, client) => {
  await client.orders.create(order('1001'));
  sb.fault('orders.get', 'delay', { delay_ms: 3000 });
  const t0 = performance.now();
  const e = await client.orders.get('1001', { timeoutMs: 200 }).then(() => null, (err) => err);
  assert.ok(e instanceof wasm.TransportError, String(e));
  assert.ok(performance.now() - t0 < 1500);
  await assert.rejects(client.orders.get('1001', { timeoutMs: 0 }), (err) => err instanceof wasm.ConfigurationError && /timeoutMs/.test(err.message));
  await assert.rejects(clientFor(sb, { timeoutMs: 200 }).orders.get('1001'), wasm.TransportError);
}));

test('webhook deliveries from the sandbox verify; a re-serialized body is called out', () => withWasm(async (sb, client) => {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: new Uint8Array(Buffer.concat(chunks)) });
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    sb.webhook(`http://127.0.0.1:${server.address().port}/hooks`, { secret: 'whsec_wasm' });
    await client.orders.create(order('1001'));
    sb.advance({ hours: 41 });
    for (let i = 0; i < 200 && received.length === 0; i++) await sleep(10);
    assert.ok(received.length > 0, 'the sandbox delivered');
    const { headers, body } = received[0];
    const w = wasm.verifyWebhook(body, new Headers(Object.entries(headers)), { secret: 'whsec_wasm' });
    assert.ok(w.id && w.event.kind);
    assert.throws(() => wasm.verifyWebhook(body, headers, { secret: 'wrong' }), wasm.AuthenticationError);
    const compact = JSON.stringify(JSON.parse(new TextDecoder().decode(body)));
    if (compact !== new TextDecoder().decode(body)) {
      assert.throws(() => wasm.verifyWebhook(compact, headers, { secret: 'whsec_wasm' }), wasm.AuthenticationError);
    }
    assert.throws(() => wasm.verifyWebhook(JSON.parse(compact), headers, { secret: 'whsec_wasm' }),
      (err) => err instanceof TypeError && /exactly as received/.test(err.message));
    assert.throws(() => wasm.verifyWebhook(body, headers, { secrett: 'x' }), (err) => err instanceof wasm.ConfigurationError && /Did you mean secret\?/.test(err.message));
  } finally {
    server.close();
  }
}));

/**
 * A retailer's backend in front of the sandbox: it lets the page do what `allow` says (checked
 * with `identify`), adds the account's Basic credentials, and forwards.
 */
async function backend(sb, allow) {
  const [a] = sb.accounts;
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const path = req.url.replace(/^\/narvar/, '');
    const what = wasm.identify(req.method, path, new Uint8Array(body));
    seen.push({ what, authorization: req.headers.authorization ?? null });
    if (!what || !allow(what)) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"status":"FAILURE","messages":[{"code":"portal.forbidden","message":"not for this page"}]}');
      return;
    }
    const headers = { ...req.headers, host: new URL(sb.url).host };
    if (what.operation !== 'tracking.by_order') headers.authorization = `Basic ${btoa(`${a.account_id}:${a.auth_token}`)}`;
    const answer = await fetch(sb.url + path, { method: req.method, headers, body: body.length ? body : undefined });
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/narvar`, seen, close: () => server.close() };
}

test('a proxied client holds no secret: the backend adds them, allows by operation, grants tracking', () => withWasm(async (sb, admin) => {
  await admin.orders.create(order('1001'));
  await admin.orders.create(order('2002'));
  const proxy = await backend(sb, ({ operation, input }) => ['orders.get', 'returns.create', 'tracking.by_order'].includes(operation) && input.order_number === '1001');
  try {
    const [a] = sb.accounts;
    const grant = wasm.trackingGrant({ retailerMoniker: a.retailer_moniker, hmacKey: a.hmac_key }, '1001');
    assert.equal(grant.order_number, '1001');
    const page = new wasm.Client({ baseUrl: proxy.url, proxied: true, trackingGrants: [grant], rateBudget: false });
    assert.equal((await page.orders.get('1001')).order_number, '1001');
    assert.equal((await page.returns.create(aReturn('1001'))).return_reference_number.length > 0, true);
    assert.equal((await page.tracking.byOrder('1001')).shipments.length, 1);
    await assert.rejects(page.orders.get('2002'), (e) => e instanceof wasm.PermissionError && e.status === 403);
    await assert.rejects(page.tracking.byOrder('2002'), wasm.ConfigurationError, 'no grant for that order: nothing to sign with');
    assert.ok(proxy.seen.every((s) => s.authorization === null), 'the page sent no credentials');
    assert.deepEqual(proxy.seen.map((s) => s.what.operation), ['orders.get', 'returns.create', 'tracking.by_order', 'orders.get']);
    assert.equal(wasm.identify('GET', '/_sandbox/requests'), null);
    assert.throws(() => wasm.identify('POST', '/api/v2/returns', 'not json'), wasm.ValidationError);
    assert.throws(() => wasm.trackingGrant({ retailerMoniker: 'acme' }, '1001'), wasm.ConfigurationError);
  } finally {
    proxy.close();
  }
}));

test('a script exits by itself after its last call', () => withWasm(async (sb) => {
  const [a] = sb.accounts;
  const script = `import { Client } from 'narvar-wasm';
    const c = new Client({ baseUrl: ${JSON.stringify(sb.url)}, accountId: ${JSON.stringify(a.account_id)}, authToken: ${JSON.stringify(a.auth_token)} });
    await c.orders.get('none').catch((e) => console.log(e.code));
    console.log('done', performance.now());`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(out, /not_found\ndone/);
}));

test('operations() lists the registry; version is the package\'s', () => {
  assert.equal(wasm.operations().length, 22);
  assert.match(wasm.version, /^\d+\.\d+\.\d+/);
});
