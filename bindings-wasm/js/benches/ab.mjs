// Two builds of the wasm package against each other in one Node process (by hand; not in CI):
// `validate()` of the benchmark's 50-item order, and `orders.get` of a 1.5 KB order with the
// global `fetch` stubbed (so only the package's own work is timed), in alternating rounds. Both
// modules see the same machine state, which moves by 20-30% between processes here.
//
//   taskset -c 1 node bindings-wasm/js/benches/ab.mjs <project-a> <project-b>
//
// Each project is a folder with the package installed (scripts/test-wasm.sh makes
// target/wasm-project; copy it and replace node_modules/narvar-wasm/dist with another build).
// Ratios are b's time over a's: above 1x, a is faster.
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [A, B] = await Promise.all(process.argv.slice(2, 4).map((project) =>
  import(pathToFileURL(join(resolve(project), 'node_modules', 'narvar-wasm', 'dist', 'entry-node.js')).href)));
const ORDER = {
  order_number: 'BENCH-1', order_date: '2024-03-09T17:45:00Z', currency_code: 'USD',
  order_items: Array.from({ length: 8 }, (_, i) => ({ sku: `SKU-${i}`, item_id: `L${i}`, name: `Blue mug ${i}`, quantity: 2, unit_price: 14.5,
    item_image: `https://cdn.example.test/${i}.png`, fulfillment_status: 'NOT_SHIPPED' })),
  customer: { customer_id: 'C-88', email: 'ada@example.test' },
};
const big = { ...ORDER, order_number: 'BIG-1', order_items: Array.from({ length: 50 }, (_, i) => ({ ...ORDER.order_items[0], sku: `SKU-${i}`, item_id: `L${i}` })) };
const body = JSON.stringify({ status: 'SUCCESS', order_info: ORDER });
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
globalThis.fetch = stub;
const clients = [A, B].map((m) => new m.Client({ accountId: 'a', authToken: 't', baseUrl: 'http://stub.test', rateBudget: false }));
const time = (n, f) => { const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000) / n; };
const timeAsync = async (n, f) => { const t = performance.now(); for (let i = 0; i < n; i++) await f(); return ((performance.now() - t) * 1000) / n; };
const med = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const v = { a: [], b: [] }, g = { a: [], b: [] };
for (let r = 0; r < 21; r++) {
  // Each round the other goes first.
  const [first, second] = r % 2 ? ['b', 'a'] : ['a', 'b'];
  for (const side of [first, second]) v[side].push(time(400, () => (side === 'a' ? A : B).validate('orders.create', big)));
  for (const side of [first, second]) g[side].push(await timeAsync(2000, () => clients[side === 'a' ? 0 : 1].orders.get('BENCH-1')));
}
const ratio = (a, b) => med(a.map((x, i) => b[i] / x));
console.log(`validate 50 items: a ${med(v.a).toFixed(1)} µs, b ${med(v.b).toFixed(1)} µs, b/a ${ratio(v.a, v.b).toFixed(2)}x (median of per-round ratios)`);
console.log(`orders.get, fetch stubbed: a ${med(g.a).toFixed(1)} µs, b ${med(g.b).toFixed(1)} µs, b/a ${ratio(g.a, g.b).toFixed(2)}x`);
