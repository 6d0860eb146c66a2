// One smoke run of the package, the same under Deno, Bun and workerd (only web APIs here): create
// an order, get it, a validation error, verify a signed webhook, abort a call. Returns what it saw.
export async function smoke(narvar, { baseUrl, account }) {
  const { Client, ValidationError, verifyWebhook } = narvar;
  const client = new Client({ baseUrl, accountId: account.account_id, authToken: account.auth_token, rateBudget: false });
  const seen = {};
  const number = `EDGE-${Math.floor(Math.random() * 1e9)}`;
  await client.orders.create({ order_number: number, order_date: '2026-11-20T10:00:00Z', order_items: [{ sku: 'MUG', quantity: 1 }] });
  const order = await client.orders.get(number);
  seen.order = order.order_number === number && order.lastResponse.status === 200;
  try {
    await client.orders.create({ order_number: number, order_items: [{ sku: 'MUG', quantity: 0 }] });
  } catch (e) {
    seen.validation = e instanceof ValidationError && e.fieldErrors.some((f) => f.path === 'order_info.order_items[0].quantity');
  }
  const body = new TextEncoder().encode(JSON.stringify({ order_number: number, return_reference_number: 'R1' }));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('whsec_edge'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', key, body))));
  const headers = new Headers({ 'x-narvar-topic': 'refunded', 'x-narvar-hmac-sha256': signature, 'x-narvar-timestamp': String(Math.floor(Date.now() / 1000)) });
  seen.webhook = verifyWebhook(body, headers, { secret: 'whsec_edge' }).event.kind === 'topic';
  const controller = new AbortController();
  const call = client.orders.get(number, { signal: controller.signal });
  controller.abort();
  seen.abort = await call.then(() => 'resolved', (e) => e.name);
  return seen;
}
