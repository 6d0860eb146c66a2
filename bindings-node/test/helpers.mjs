// Shared by the tests: sample inputs, the repository's vectors, a sandbox per test.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import net from 'node:net';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { Sandbox } from 'narvar';

// Tests run from a copy beside the installed package (scripts/test-node.sh) or from the source
// tree; NARVAR_REPO names the repository either way.
export const REPO = process.env.NARVAR_REPO ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package's native half, as the installed package loads it (for conformance replay). */
export function nativeOf() {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('narvar'));
  return { native: require(join(root, 'lib', 'native.js')), errors: require(join(root, 'lib', 'errors.js')) };
}

export function vectors() {
  const dir = join(REPO, 'tests', 'vectors');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

export function order(n, extra = {}) {
  return {
    order_number: n, order_date: '2024-03-09T17:45:00Z', currency_code: 'USD',
    order_items: [{ sku: 'MUG', item_id: 'L1', name: 'Blue mug', quantity: 2, unit_price: 14.5 },
      { sku: 'CUP', name: 'Cup', quantity: 1, unit_price: '3.00' }],
    shipments: [{ carrier: 'usps', tracking_number: `T-${n}`, ship_date: '2024-03-10',
      items_info: [{ sku: 'MUG', item_id: 'L1', quantity: 2 }],
      shipped_to: { first_name: 'Ada', address: { street_1: '12 Elm St', zip: '78701', country: 'US' } } }],
    customer: { email: 'ada@example.test' },
    ...extra,
  };
}

export function aReturn(n) {
  return { order_number: n, billing_zip: '78701', carrier: 'usps',
    order_items: [{ sku: 'MUG', quantity: 1, return_reason_code: 'DAMAGED' }] };
}

/** Runs `fn(sandbox, client)` against a fresh sandbox, closed afterwards. */
export async function withSandbox(fn) {
  const sb = await Sandbox.start();
  try {
    return await fn(sb, sb.client({ rateBudget: false }));
  } finally {
    await sb.close();
  }
}

function subset(want, got, at = 'output') {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${at}: ${JSON.stringify(got)}`);
    want.forEach((w, i) => subset(w, got[i], `${at}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    assert.ok(got !== null && typeof got === 'object', `${at}: ${JSON.stringify(got)}`);
    for (const [k, v] of Object.entries(want)) {
      assert.ok(k in got, `${at}.${k} is missing`);
      subset(v, got[k], `${at}.${k}`);
    }
  } else if (typeof want === 'number') {
    assert.equal(Number(got), want, at);
  } else {
    assert.deepEqual(got, want, at);
  }
}

function checkError(e, want, NarvarError) {
  assert.ok(e instanceof NarvarError, String(e));
  assert.equal(e.code, want.code, e.message);
  if ('status' in want) assert.equal(e.status, want.status);
  if ('request_id' in want) assert.equal(e.requestId, want.request_id);
  if ('retry_after' in want) assert.equal(e.retryAfter, want.retry_after);
  if ('message_codes' in want) assert.deepEqual(e.messages.map((m) => m.code), want.message_codes);
  if ('message_contains' in want) assert.ok(e.message.includes(want.message_contains), e.message);
  if ('field_errors' in want) {
    const key = (f) => `${f.path} ${f.rule}`;
    assert.deepEqual(e.fieldErrors.map(key).sort(), want.field_errors.map(key).sort());
  }
}

/**
 * Replays a conformance vector through a package: `io.build(op, input, context)` and
 * `io.read(op, status, flatHeaders, bodyBytes)` give `{ value }` or `{ error }` (the package's
 * error class instance, checked against `NarvarError`).
 */
export function replayVector(c, io, NarvarError) {
  const built = io.build(c.operation, c.input, c.context ?? {});
  if (c.expect_request === null) {
    assert.ok(built.error, 'building should fail');
    return checkError(built.error, c.expect_error, NarvarError);
  }
  assert.ok(!built.error, built.error?.message);
  const req = built.value;
  const want = c.expect_request;
  assert.deepEqual([req.method, req.path], [want.method, want.path]);
  const headers = Object.fromEntries(req.headers.map(([k, v]) => [k.toLowerCase(), v]));
  for (const [k, v] of Object.entries(want.headers)) assert.equal(headers[k.toLowerCase()], v, k);
  for (const k of want.absent_headers ?? []) assert.ok(!(k.toLowerCase() in headers), k);
  assert.deepEqual(req.body, want.body);
  const r = c.response;
  const body = new TextEncoder().encode('body' in r ? JSON.stringify(r.body) : r.body_text ?? '');
  const read = io.read(c.operation, r.status, Object.entries(r.headers ?? {}).flat(), body);
  if ('expect_output' in c) {
    assert.ok(!read.error, read.error?.message);
    subset(c.expect_output, read.value);
  } else {
    assert.ok(read.error, 'reading should fail');
    checkError(read.error, c.expect_error, NarvarError);
  }
}

/** A TCP relay in front of the sandbox that reports when the client's connections close. */
export async function relay(target) {
  const { hostname, port } = new URL(target);
  const closed = [];
  let open = 0;
  const server = net.createServer((client) => {
    open += 1;
    const upstream = net.connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    client.on('close', () => { open -= 1; closed.push(performance.now()); upstream.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, closed, open: () => open, close: () => server.close() };
}
