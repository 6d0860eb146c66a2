// Every operation of the registry through the package, against the embedded sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operations } from 'narvar';
import { withSandbox, order, aReturn } from './helpers.mjs';

test('every operation of the registry, against the sandbox', () => withSandbox(async (sb, client) => {
  const created = await client.orders.create(order('1001'));
  assert.equal(created.status, 'SUCCESS');
  assert.equal(created.lastResponse.status, 200);
  assert.match(created.lastResponse.requestId, /^req_/);
  const o = await client.orders.get('1001');
  assert.equal(o.order_items[0].quantity, 2);
  assert.equal(Number(o.order_items[1].unit_price), 3);
  assert.equal(o.lastResponse.headers['content-type'], 'application/json');
  await client.orders.addShipments('1001', [{ carrier: 'ups', tracking_number: '1Z', items_info: [{ sku: 'CUP', quantity: 1 }] }]);
  assert.equal((await client.tracking.byOrder('1001')).shipments.length, 2);
  assert.equal((await client.tracking.info('usps', ['T-1001'])).shipments[0].tracking_number, 'T-1001');
  assert.equal((await client.tracking.itemVisibility('1001', { destination_zip: '78701' })).masked, false);
  const label = await client.returns.generateLabel(aReturn('1001'));
  assert.equal(label.return_reference_number.length, 16);
  assert.equal((await client.returns.getLabel(label.return_reference_number)).order_number, '1001');
  const v2 = await client.returns.create(aReturn('1001'));
  assert.equal((await client.returns.get(v2.return_reference_number)).return_status, 'initiated');
  const delivery = [];
  for await (const c of client.carriers.iter({ products: ['delivery'] })) delivery.push(c.carrier_moniker);
  assert.deepEqual(delivery.sort(), ['fedex', 'gls']);
  assert.ok((await client.carriers.get('fedex', { country: 'US', products: ['returns'] })).carrier_services);
  await client.carriers.enable('fedex', { capabilities: ['returns_label'], products: ['returns'], carrier_service_configurations: [{ service_name: 'FEDEX_X' }] });
  await client.carriers.disable('fedex', 'FEDEX_X');
  const acc = await client.carrierAccounts.create({ carrier_moniker: 'gls', capabilities: ['returns_label'], products: ['returns'],
    account_alias: 'acme-gls', credentials: { username: 'u', password: 'pw_gls_1', shipper_contact_id: '1' } });
  assert.ok(acc.account_identifier);
  assert.equal(acc.credentials ?? null, null, 'credentials are never echoed');
  assert.equal((await client.carrierAccounts.get('acme-gls')).carrier_moniker, 'gls');
  const aliases = [];
  for await (const a of client.carrierAccounts.iter()) aliases.push(a.account_alias);
  assert.deepEqual(aliases, ['acme-gls']);
  await client.carrierAccounts.update({ carrier_moniker: 'gls', account_alias: 'acme-gls', is_active: false });
  await client.carrierAccounts.delete('acme-gls');
  const where = { destination: { postal_code: '78701', country: 'US' }, items: [{ sku: 'MUG' }] };
  const opts = await client.promise.options(where);
  await client.promise.publicOptions(where);
  const pid = opts.cart_delivery_options?.delivery_options?.[0]?.promise_id;
  assert.equal((await client.promise.confirm({ order_id: '1001', selected_delivery_options: [{ promise_id: pid }] })).order_id, '1001');
  const served = new Set(sb.requests().filter((r) => r.status === 200).map((r) => r.operation));
  assert.deepEqual([...served].sort(), operations().map((op) => op.name).sort());
}));

test('results are plain data: JSON.stringify gives the API fields, structuredClone works, metadata is apart', () => withSandbox(async (_sb, client) => {
  await client.orders.create(order('1001', { attributes: { loyalty: 'gold' }, future_field: { x: 1 } }));
  const o = await client.orders.get('1001');
  const json = JSON.parse(JSON.stringify(o));
  assert.equal(json.lastResponse, undefined);
  assert.deepEqual(json.attributes, { loyalty: 'gold' });
  assert.deepEqual(json.future_field, { x: 1 }, 'unknown fields are kept');
  const copy = structuredClone(o);
  assert.deepEqual(copy, json);
  assert.equal(o.lastResponse.attempts, 1);
  assert.ok(o.lastResponse.tracerId);
  assert.ok(!Object.keys(o).includes('lastResponse'));
}));

test('Date values are accepted for date-time fields', () => withSandbox(async (_sb, client) => {
  await client.orders.create({ ...order('D1'), order_date: new Date(Date.UTC(2026, 10, 20, 10, 0, 0)) });
  assert.equal((await client.orders.get('D1')).order_date, '2026-11-20T10:00:00.000Z');
}));

test('the journey of an order', () => withSandbox(async (sb, client) => {
  await client.orders.create(order('1001'));
  sb.advance({ hours: 41 });
  await client.returns.create(aReturn('1001'));
  sb.advance({ hours: 30 });
  const steps = (await client.journey('1001')).entries.map((e) => e.status);
  assert.deepEqual(steps, ['order_placed', 'shipped', 'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'return_initiated', 'return_in_transit']);
}));

test('a return label downloads through the client', () => withSandbox(async (_sb, client) => {
  await client.orders.create(order('1001'));
  const label = await client.returns.create(aReturn('1001'));
  const url = label.return_methods?.find((m) => m.label_url)?.label_url;
  assert.ok(url, 'the sandbox gives a label_url');
  const file = await client.returns.downloadLabel(url);
  assert.ok(file.bytes.length > 0);
  assert.match(file.contentType, /pdf|png/);
}));

test('1,000 concurrent calls complete', () => withSandbox(async (_sb, client) => {
  await client.orders.create(order('1001'));
  // The event loop keeps turning while they run: timers fire between their settlements.
  const ticks = [];
  let first = null;
  let last = null;
  const ticker = setInterval(() => ticks.push(performance.now()), 0);
  const calls = Array.from({ length: 1000 }, () => client.orders.get('1001').then((r) => {
    first ??= performance.now();
    last = performance.now();
    return r;
  }));
  const results = await Promise.all(calls);
  clearInterval(ticker);
  assert.ok(ticks.some((t) => t > first && t < last), 'timers ran while the calls were settling');
  assert.equal(results.length, 1000);
  assert.ok(results.every((r) => r.order_number === '1001' && r.lastResponse.status === 200));
}));

test('per-call tracer id and idempotency key reach the server', () => withSandbox(async (sb, client) => {
  await client.orders.create(order('1001'), { tracerId: 'tr-node-1', idempotencyKey: 'idem-node-1' });
  const got = await client.orders.get('1001', { tracerId: 'tr-node-2' });
  assert.equal(got.lastResponse.tracerId, 'tr-node-2');
  assert.equal(sb.requests('orders.create').length, 1);
}));
