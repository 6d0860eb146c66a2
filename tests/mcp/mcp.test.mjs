// `narvar mcp`, driven by the official MCP TypeScript SDK's client over stdio, against the
// server's embedded sandbox: initialize, the tool list (each input schema valid JSON Schema),
// every read tool, writes refused without --allow-writes and done with it, a validation error
// with its path, 10 concurrent calls, and a clean exit when stdin closes.
// Run: node --test tests/mcp/ (after `npm ci` in tests/mcp and a build of the CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Ajv2020 from 'ajv/dist/2020.js';

const CLI = process.env.NARVAR_CLI ?? fileURLToPath(new URL('../../target/debug/narvar', import.meta.url));

async function connect(...flags) {
  const transport = new StdioClientTransport({ command: CLI, args: ['mcp', '--sandbox', ...flags], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => { stderr += d; });
  const client = new Client({ name: 'narvar-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

const READS = ['get_order', 'track_order', 'track_packages', 'get_item_visibility', 'get_return', 'get_return_label',
  'list_carriers', 'get_carrier', 'list_carrier_accounts', 'get_carrier_account', 'delivery_options',
  'public_delivery_options', 'get_journey'];
const WRITES = ['create_order', 'add_shipments', 'create_return', 'generate_return_label', 'enable_carrier', 'disable_carrier',
  'create_carrier_account', 'update_carrier_account', 'delete_carrier_account', 'confirm_delivery_option'];

const json = (result) => result.structuredContent;

test('read-only by default: every read tool answers from the sandbox, writes are refused', async () => {
  const { client, transport, stderr } = await connect();
  const server = transport._process; // the SDK forgets it on close
  try {
    assert.equal(client.getServerVersion().name, 'narvar');
    const instructions = client.getInstructions();
    assert.match(instructions, /Read-only/);
    const [v2, v1] = [...instructions.matchAll(/return(?: label)? ([A-Za-z0-9]{16})/g)].map((m) => m[1]);
    assert.ok(v2 && v1, instructions);

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...READS].sort());
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.ok(ajv.validateSchema(t.inputSchema), `${t.name}: ${ajv.errorsText()}`);
      ajv.compile(t.inputSchema);
      assert.ok(t.description.length > 20, t.name);
      assert.equal(t.annotations.readOnlyHint, true, t.name);
    }

    const where = { destination: { postal_code: '78701', country: 'US' }, items: [{ sku: 'MUG' }] };
    const calls = {
      get_order: { order_number: '1001' },
      track_order: { order_number: '1001' },
      track_packages: { carrier_moniker: 'usps', tracking_numbers: ['T-1001'] },
      get_item_visibility: { order_number: '1001', destination_zip: '78701' },
      get_return: { return_reference_number: v2 },
      get_return_label: { return_reference_number: v1 },
      list_carriers: { products: ['delivery'] },
      get_carrier: { carrier_moniker: 'fedex', country: 'US', products: ['returns'] },
      list_carrier_accounts: {},
      get_carrier_account: { account_alias: 'acme-gls' },
      delivery_options: where,
      public_delivery_options: where,
      get_journey: { order_number: '1001' },
    };
    const results = {};
    for (const [name, args] of Object.entries(calls)) {
      const r = await client.callTool({ name, arguments: args });
      assert.ok(!r.isError, `${name}: ${r.content?.[0]?.text}`);
      assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent, `${name}: text and structured content agree`);
      results[name] = json(r);
    }
    assert.equal(results.get_order.order_number, '1001');
    assert.equal(results.track_order.shipments.length, 1);
    assert.equal(results.get_return.return_status, 'initiated');
    assert.equal(results.get_return_label.order_number, '1001');
    assert.deepEqual(results.list_carriers.carriers.map((c) => c.carrier_moniker).sort(), ['fedex', 'gls']);
    assert.equal(results.get_carrier_account.carrier_moniker, 'gls');
    assert.deepEqual(results.list_carrier_accounts.carrierAccounts.map((a) => a.account_alias), ['acme-gls']);
    assert.ok(results.get_journey.entries.some((e) => e.status === 'return_initiated'));

    // A write is a tool error that says how to allow it, not a protocol error.
    const refused = await client.callTool({ name: 'create_order', arguments: { order_number: 'X1' } });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /--allow-writes/);

    // A bad argument names its field.
    const bad = await client.callTool({ name: 'get_order', arguments: { order_number: '' } });
    assert.equal(bad.isError, true);
    assert.equal(bad.structuredContent.code, 'validation');
    assert.equal(bad.structuredContent.field_errors[0].path, 'order_number');
    const missing = await client.callTool({ name: 'get_order', arguments: { order_number: 'NOPE' } });
    assert.equal(missing.structuredContent.code, 'not_found');

    // 10 at once.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      client.callTool({ name: 'get_order', arguments: { order_number: i % 2 ? '1001' : '1002' } })));
    assert.deepEqual(many.map((r) => json(r).order_number), Array.from({ length: 10 }, (_, i) => (i % 2 ? '1001' : '1002')));

    assert.doesNotMatch(stderr() + JSON.stringify(results), /tok_test|pw_demo_1|hmac_test/, 'no secret in results or logs');
  } finally {
    await client.close();
  }
  // Closing stdin ended the server by itself (the SDK would have sent SIGTERM after 2 s).
  assert.ok(server, 'the server process');
  assert.equal(server.signalCode, null, `ended by a signal: ${stderr()}`);
  assert.equal(server.exitCode, 0, stderr());
});

test('with --allow-writes the write tools appear, annotated, and each call carries an idempotency key', async () => {
  const { client } = await connect('--allow-writes');
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const w of WRITES) assert.ok(names.includes(w), `${w} offered`);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.equal(byName.create_return.annotations.readOnlyHint, false);
    assert.equal(byName.create_return.annotations.idempotentHint, false);
    assert.equal(byName.delete_carrier_account.annotations.destructiveHint, true);
    assert.equal(byName.get_order.annotations.readOnlyHint, true);

    const created = await client.callTool({ name: 'create_order', arguments: {
      order_number: 'MCP-1', order_date: '2026-11-30T10:00:00Z', currency_code: 'USD',
      order_items: [{ sku: 'MUG', item_id: 'L1', name: 'Blue mug', quantity: 1, unit_price: 14.5 }],
      customer: { email: 'ada@example.test' } } });
    assert.ok(!created.isError, created.content[0].text);
    assert.match(created._meta.idempotency_key, /^[0-9a-f-]{36}$/);
    const ret = await client.callTool({ name: 'create_return', arguments: {
      order_number: 'MCP-1', billing_zip: '78701', carrier: 'usps',
      order_items: [{ sku: 'MUG', quantity: 1, return_reason_code: 'DAMAGED' }] } });
    assert.ok(!ret.isError, ret.content[0].text);
    assert.equal(json(ret).return_reference_number.length, 16);

    const bad = await client.callTool({ name: 'create_order', arguments: {
      order_number: 'MCP-2', order_date: '2026-11-30T10:00:00Z', order_items: [{ sku: 'MUG', quantity: 0 }] } });
    assert.equal(bad.isError, true);
    assert.equal(bad.structuredContent.field_errors[0].path, 'order_info.order_items[0].quantity');
  } finally {
    await client.close();
  }
});
