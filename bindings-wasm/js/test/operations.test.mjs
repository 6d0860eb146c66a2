// Every operation of the registry through the wasm package (Node's global fetch), against the sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operations } from 'narvar-wasm';
import { order, aReturn } from './helpers.mjs';
import { withWasm } from './wasm-helpers.mjs';

test('every operation of the registry, against the sandbox', () => withWasm(async (sb, client) => {
  const created = await client.orders.create(order('1001'));
  assert.equal(created.status, 'SUCCESS');
  assert.equal(created.lastResponse.status, 200);
  assert.match(created.lastResponse.requestId, /^req_/);
  const o = await client.orders.get('1001');
  assert.equal(o.order_items[0].quantity, 2);
  assert.equal(Number(o.order_items[1].unit_price), 3);
  await client.orders.addShipments('1001', [{ carrier: 'ups', tracking_number: '1Z', items_info: [{ sku: 'CUP', quantity: 1 }] }]);
  assert.equal((await client.tracking.byOrder('1001')).shipments.length, 2);
  assert.equal((await client.tracking.info('usps', ['T-1001'])).shipments[0].tracking_number, 'T-1001');
  assert.equal((await client.tracking.itemVisibility('1001', { destination_zip: '78701' })).masked, false);
  const label = await client.returns.generateLabel(aReturn('1001'));
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

test('results are plain data, metadata apart; Dates accepted', () => withWasm(async (_sb, client) => {
  await client.orders.create({ ...order('1001', { attributes: { loyalty: 'gold' }, future_field: { x: 1 } }), order_date: new Date(Date.UTC(2026, 10, 20, 10)) });
  const o = await client.orders.get('1001');
  const json = JSON.parse(JSON.stringify(o));
  assert.equal(json.lastResponse, undefined);
  assert.deepEqual(json.future_field, { x: 1 }, 'unknown fields are kept');
  assert.deepEqual(structuredClone(o), json);
  assert.equal(o.order_date, '2026-11-20T10:00:00.000Z');
  assert.equal(o.lastResponse.attempts, 1);
  assert.ok(o.lastResponse.tracerId);
}));

test('the journey of an order, and its label', () => withWasm(async (sb, client) => {
  await client.orders.create(order('1001'));
  sb.advance({ hours: 41 });
  const ret = await client.returns.create(aReturn('1001'));
  sb.advance({ hours: 30 });
  const steps = (await client.journey('1001')).entries.map((e) => e.status);
  assert.deepEqual(steps, ['order_placed', 'shipped', 'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'return_initiated', 'return_in_transit']);
  const url = ret.return_methods?.find((m) => m.label_url)?.label_url;
  const file = await client.returns.downloadLabel(url);
  assert.ok(file.bytes instanceof Uint8Array && file.bytes.length > 0);
  assert.match(file.contentType, /pdf|png/);
}));

test('1,000 concurrent calls complete', () => withWasm(async (_sb, client) => {
  await client.orders.create(order('1001'));
  const results = await Promise.all(Array.from({ length: 1000 }, () => client.orders.get('1001')));
  assert.ok(results.every((r) => r.order_number === '1001' && r.lastResponse.status === 200));
}));

test('per-call tracer id and idempotency key reach the server; a retried write keeps its key', () => withWasm(async (sb, client) => {
  await client.orders.create(order('1001'), { tracerId: 'tr-wasm-1', idempotencyKey: 'idem-wasm-1' });
  const got = await client.orders.get('1001', { tracerId: 'tr-wasm-2' });
  assert.equal(got.lastResponse.tracerId, 'tr-wasm-2');
  sb.fault('returns.create', 'status', { status: 503, times: 1 });
  const r = await client.returns.create(aReturn('1001'));
  assert.equal(r.lastResponse.attempts, 2, 'the 503 was retried by the core');
  const keys = sb.requests('returns.create').map((q) => q.idempotency_key);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1]);
}));
