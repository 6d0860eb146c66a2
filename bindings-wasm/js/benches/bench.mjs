// wasm package benchmarks (by hand; not in CI). Ratios are measured in the same run.
//
//   bash scripts/test-wasm.sh                                   # builds and installs the package
//   cargo build --release -p narvar-sandbox --bin narvar-sandbox
//   cd target/wasm-project && taskset -c 1 node ../../bindings-wasm/js/benches/bench.mjs
//   (ONLY=sequential, ONLY=validation or ONLY=chromium: that part alone)
//
// The sandbox (a release `narvar-sandbox` process) runs on CPU 0, the client on CPU 1. Measured:
//  1. sequential `orders.get` of a 1.5 KB order: the wasm client (core driver over the global
//     fetch) against `fetch` + `JSON.parse` (the same field checked), interleaved rounds;
//  2. validating a 50-item order: `validate('orders.create', ...)` against zod 4 schemas (what a
//     TypeScript team would write): the rules alone (the fields they name); every field's type
//     (from the core's JSON Schema, hand-written style: zod-from-schema.mjs) and the rules, in two
//     passes; and zod's own `z.fromJSONSchema` of the model `.and()` the rules. The package's
//     validation checks every field's type and the rules, so the last two do the same checks;
//  3. first use in Chromium: instantiate the module and the first `orders.get` (cold page), with
//     the credentials in the page (another origin) and the portal's way (proxied, same origin).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client, validate } from 'narvar-wasm';
import { zodFromSchema } from './zod-from-schema.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const MODULES = join(HERE, '..', 'node_modules');
const N_SEQ = 400;
const ROUNDS = 15;
const ORDER = {
  order_number: 'BENCH-1', order_date: '2024-03-09T17:45:00Z', currency_code: 'USD',
  order_items: Array.from({ length: 8 }, (_, i) => ({ sku: `SKU-${i}`, item_id: `L${i}`, name: `Blue mug ${i}`, quantity: 2, unit_price: 14.5,
    item_image: `https://cdn.example.test/${i}.png`, fulfillment_status: 'NOT_SHIPPED' })),
  customer: { customer_id: 'C-88', email: 'ada@example.test' },
};

async function startSandbox() {
  const p = spawn('taskset', ['-c', '0', join(ROOT, 'target/release/narvar-sandbox'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // An iterator, not two `once(lines, 'line')`: both lines can come in one chunk, and the
  // second event would then fire before anyone listened.
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const line = (await lines.next()).value;
  const account = (await lines.next()).value;
  const creds = Object.fromEntries([...account.matchAll(/(NARVAR_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  return { p, url: line.trim().split(' ').pop(), creds };
}

async function perGet(n, one) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await one();
  return ((performance.now() - t) * 1000) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sequential(sb) {
  const c = sb.creds;
  const client = new Client({ baseUrl: sb.url, accountId: c.NARVAR_ACCOUNT_ID, authToken: c.NARVAR_AUTH_TOKEN, rateBudget: false });
  const auth = `Basic ${btoa(`${c.NARVAR_ACCOUNT_ID}:${c.NARVAR_AUTH_TOKEN}`)}`;
  const url = `${sb.url}/api/v1/orders/BENCH-1`;
  const sides = {
    wasm: async () => {
      const o = await client.orders.get('BENCH-1');
      if (o.order_items[0].sku !== 'SKU-0') throw new Error('wrong order');
    },
    fetch: async () => {
      const r = await fetch(url, { headers: { authorization: auth, accept: 'application/json' } });
      const o = JSON.parse(await r.text());
      if (!r.ok || o.order_info.order_items[0].sku !== 'SKU-0') throw new Error('wrong order');
    },
  };
  for (const one of Object.values(sides)) await perGet(200, one); // warm-up
  const rounds = { wasm: [], fetch: [] };
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const w = await perGet(N_SEQ, sides.wasm);
    const f = await perGet(N_SEQ, sides.fetch);
    rounds.wasm.push(w);
    rounds.fetch.push(f);
    ratios.push(f / w);
  }
  const [w, f] = [rounds.wasm, rounds.fetch].map((xs) => `${Math.min(...xs).toFixed(0)} / ${median(xs).toFixed(0)} µs`);
  console.log(`sequential orders.get (best / median of ${ROUNDS} rounds of ${N_SEQ}): wasm ${w}, fetch + JSON.parse ${f}`);
  console.log(`  fetch/wasm, median of per-round ratios: ${median(ratios).toFixed(2)}x (goal >= 0.9x)`);
}

async function validation() {
  const { z } = await import(pathToFileURL(join(MODULES, 'zod', 'index.js')).href);
  const pathValue = z.string().min(1).max(255).refine((s) => !/[\u0000-\u001f\u007f]/.test(s) && s !== '.' && s !== '..');
  const decimal = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().nonnegative());
  const quantity = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1));
  const item = z.object({ sku: z.string().min(1), item_id: z.string().optional(), name: z.string().optional(), quantity,
    unit_price: decimal.optional(), line_price: decimal.optional(), discount_amount: decimal.optional(),
    final_sale_date: z.iso.datetime({ offset: true }).optional() }).loose();
  const order = z.object({
    order_number: pathValue,
    order_date: z.iso.datetime({ offset: true }),
    currency_code: z.string().regex(/^[A-Z]{3}$/).optional(),
    order_items: z.array(item).min(1),
    customer: z.object({ email: z.email().optional() }).loose().optional(),
  }).loose().superRefine((o, ctx) => {
    const seen = new Set();
    o.order_items.forEach((it, i) => {
      const key = `${it.sku}\u0000${it.item_id ?? ''}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['order_items', i, 'item_id'], message: 'duplicate' });
      seen.add(key);
    });
  });
  const big = { ...ORDER, order_number: 'BIG-1', order_items: Array.from({ length: 50 }, (_, i) => ({ ...ORDER.order_items[0], sku: `SKU-${i}`, item_id: `L${i}` })) };
  if (validate('orders.create', big).length || !order.safeParse(big).success) throw new Error('the 50-item order should be valid');
  const bad = { ...big, order_items: big.order_items.map((it, i) => (i === 7 ? { ...it, quantity: 0 } : it)) };
  if (validate('orders.create', bad).length !== 1 || order.safeParse(bad).success) throw new Error('both should refuse quantity 0');
  const time = (n, f) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    return ((performance.now() - t) * 1000) / n;
  };
  // Every field's type, as the package checks it: the model in the core's JSON Schema.
  const schema = JSON.parse(await readFile(join(ROOT, 'tests', 'schema', 'narvar.schema.json'), 'utf8'));
  const typed = zodFromSchema(z, schema.$defs, 'OrderInfo');
  const fromSchema = z.fromJSONSchema({ $ref: '#/$defs/OrderInfo', $defs: schema.$defs }).and(order);
  const typedBad = { ...big, order_items: big.order_items.map((it, i) => (i === 7 ? { ...it, is_gift: 'yes' } : it)) };
  if (validate('orders.create', typedBad).length !== 1 || typed.safeParse(typedBad).success || fromSchema.safeParse(typedBad).success
    || !typed.safeParse(big).success || !fromSchema.safeParse(big).success) throw new Error('all should refuse is_gift: "yes" and take the order');
  const sides = {
    wasm: () => validate('orders.create', big),
    rules: () => order.safeParse(big),
    typed: () => typed.safeParse(big).success && order.safeParse(big).success,
    fromSchema: () => fromSchema.safeParse(big),
  };
  for (const f of Object.values(sides)) time(2000, f);
  const results = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const ratios = { rules: [], typed: [], fromSchema: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const w = time(2000, sides.wasm);
    results.wasm.push(w);
    for (const k of Object.keys(ratios)) {
      const t = time(2000, sides[k]);
      results[k].push(t);
      ratios[k].push(t / w);
    }
  }
  const m = (k) => median(results[k]).toFixed(1);
  console.log(`validating a 50-item order (median µs): wasm ${m('wasm')}; zod 4: the rules alone ${m('rules')}, ` +
    `every field's type + the rules ${m('typed')}, z.fromJSONSchema(model).and(rules) ${m('fromSchema')}`);
  console.log(`  zod/wasm, median of per-round ratios (goal >= 1x): rules alone ${median(ratios.rules).toFixed(2)}x, ` +
    `same checks ${median(ratios.typed).toFixed(2)}x, same checks through z.fromJSONSchema ${median(ratios.fromSchema).toFixed(2)}x`);
}

// The page's client in two set-ups: `direct` (Narvar credentials in the page, another origin:
// the browser sends a CORS preflight first; what a portal must not do) and `proxied` (the
// portal's way: the page's own origin, which forwards to the API with the credentials).
function firstUsePage(sb, mode) {
  if (mode === 'fetch') {
    return `<!doctype html><script type="module">
      const t1 = performance.now();
      const o = await (await fetch('/narvar/api/v1/orders/BENCH-1')).json();
      window.timing = { instantiate: 0, firstGet: performance.now() - t1, total: performance.now() - t1, ok: o.order_info.order_number === 'BENCH-1' };
    </script>`;
  }
  const c = sb.creds;
  const options = mode === 'direct'
    ? `{ baseUrl: ${JSON.stringify(sb.url)}, accountId: ${JSON.stringify(c.NARVAR_ACCOUNT_ID)}, authToken: ${JSON.stringify(c.NARVAR_AUTH_TOKEN)} }`
    : '{ baseUrl: `${location.origin}/narvar`, proxied: true }';
  return `<!doctype html><script type="module">
    const t0 = performance.now();
    const { Client } = await import('/pkg/entry-browser.js');
    const t1 = performance.now();
    const client = new Client(${options});
    const o = await client.orders.get('BENCH-1');
    window.timing = { instantiate: t1 - t0, firstGet: performance.now() - t1, total: performance.now() - t0, ok: o.order_number === 'BENCH-1' };
  </script>`;
}

/** Serves the pages, the package, and `/narvar/*` forwarded to the sandbox with credentials. */
async function pageServer(sb) {
  const dist = dirname(fileURLToPath(import.meta.resolve('narvar-wasm')));
  const basic = `Basic ${btoa(`${sb.creds.NARVAR_ACCOUNT_ID}:${sb.creds.NARVAR_AUTH_TOKEN}`)}`;
  const server = http.createServer(async (req, res) => {
    if (req.url.startsWith('/narvar/')) {
      const answer = await fetch(sb.url + req.url.slice('/narvar'.length), { headers: { authorization: basic, accept: 'application/json' } });
      return res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
        .end(Buffer.from(await answer.arrayBuffer()));
    }
    if (!req.url.startsWith('/pkg/')) return res.writeHead(200, { 'content-type': 'text/html' }).end(firstUsePage(sb, req.url.slice(1)));
    const f = join(dist, req.url.slice(5));
    res.writeHead(200, { 'content-type': f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(await readFile(f));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function firstUseInChromium(sb) {
  const { chromium } = await import(pathToFileURL(join(MODULES, 'playwright-core', 'index.mjs')).href);
  const server = await pageServer(sb);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const runs = { direct: [], proxied: [], fetch: [] };
  for (let i = 0; i < 7; i++) {
    for (const mode of Object.keys(runs)) { // alternating, each in a cold context
      const context = await browser.newContext();
      const p = await context.newPage();
      p.on('console', (m) => console.log('page:', m.text()));
      p.on('pageerror', (e) => console.log('page error:', e.message));
      await p.goto(`http://127.0.0.1:${server.address().port}/${mode}`);
      runs[mode].push(await p.waitForFunction(() => window.timing).then((h) => h.jsonValue()));
      await context.close();
    }
  }
  await browser.close();
  server.close();
  for (const [mode, r] of Object.entries(runs)) {
    const m = (k) => median(r.map((x) => x[k])).toFixed(1);
    if (mode === 'fetch') console.log(`  baseline, a bare fetch + json() of the same order as a cold page's first request (proxied path): ${m('firstGet')} ms`);
    else console.log(`first use in Chromium, ${mode} (median of 7 cold pages): instantiate ${m('instantiate')} ms + first orders.get ${m('firstGet')} ms = ${m('total')} ms (goal <= 50 ms)`);
  }
}

const sb = await startSandbox();
try {
  const only = process.env.ONLY;
  await new Client({ baseUrl: sb.url, accountId: sb.creds.NARVAR_ACCOUNT_ID, authToken: sb.creds.NARVAR_AUTH_TOKEN }).orders.create(ORDER);
  if (!only || only === 'sequential') await sequential(sb);
  if (!only || only === 'validation') await validation();
  if (!only || only === 'chromium') await firstUseInChromium(sb);
} finally {
  sb.p.kill();
}
