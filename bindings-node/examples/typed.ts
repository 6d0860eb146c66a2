// A typed use of the package: compiled with `tsc --strict` (lib es2022, no DOM) in the tests.
import { Client, Sandbox, NotFoundError, ValidationError, verifyWebhook, type OrderInfo, type Input, type WithResponse } from 'narvar';

export async function main(): Promise<void> {
  const sb = await Sandbox.start();
  const client: Client = sb.client({ rateBudget: false, timeoutMs: 5_000 });
  const order: Input<OrderInfo> = {
    order_number: '1001',
    order_date: new Date(),
    order_items: [{ sku: 'MUG', quantity: 1, unit_price: 14.5 }],
  };
  await client.orders.create(order, { idempotencyKey: 'order-1001' });
  const got: WithResponse<OrderInfo> = await client.orders.get('1001', { signal: AbortSignal.timeout(2_000) });
  const sku: string | null | undefined = got.order_items?.[0]?.sku;
  console.log(sku, got.lastResponse.requestId, got.lastResponse.attempts);
  const fedex = await client.carriers.get('fedex', { country: 'US', products: ['returns'] });
  console.log(fedex.carrier_moniker);
  for await (const c of client.carriers.iter({ products: ['delivery'] })) console.log(c.carrier_moniker);
  try {
    await client.orders.get('nope');
  } catch (e) {
    if (e instanceof NotFoundError) console.log(e.code, e.status, e.requestId, e.messages[0]?.code);
    else if (e instanceof ValidationError) console.log(e.fieldErrors.map((f) => f.path));
  }
  const journey = await client.journey('1001');
  console.log(journey.entries?.length);
  const webhook = verifyWebhook(Buffer.from('{}'), { 'x-narvar-hmac-sha256': 'x' }, { secret: 's', toleranceSec: 60 });
  console.log(webhook.event.kind);
  await sb.close();
}

// @ts-expect-error: a misspelt client option is a compile error
new Client({ acountId: 'acme' });
// @ts-expect-error: so is a misspelt call option
void new Client().orders.get('1', { timeOutMs: 5 });
