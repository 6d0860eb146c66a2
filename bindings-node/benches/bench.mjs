// Node binding benchmarks (by hand; not in CI). Ratios are measured in the same run.
//
//   bash scripts/test-node.sh                       # builds the release addon
//   taskset -c 1 node bindings-node/benches/bench.mjs
//
// The sandbox (a release `narvar-sandbox` process) runs on CPU 0 and every client on CPU 1, as
// the Python benchmark does. Measured: sequential `orders.get` against `undici.request` +
// `body.json()`, `fetch` + `json()` and the raw Rust reqwest loop (client/benches/reqwest_loop.rs,
// interleaved round by round); 100 gets in flight against undici and fetch; `import('narvar')`;
// the packed tarball's size. Each hand-written side checks the same field a user would.
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, Agent } from 'undici';
import { Client } from '../index.mjs';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(PKG, '..');
const N_SEQ = 400;
const ROUNDS = 15;
const AUTH = `Basic ${Buffer.from('acme:tok_test_acme').toString('base64')}`;
const ORDER = {
  order_number: 'BENCH-1', order_date: '2024-03-09T17:45:00Z', currency_code: 'USD',
  order_items: Array.from({ length: 8 }, (_, i) => ({ sku: `SKU-${i}`, item_id: `L${i}`, name: `Blue mug ${i}`, quantity: 2, unit_price: 14.5,
    item_image: `https://cdn.example.test/${i}.png`, fulfillment_status: 'NOT_SHIPPED' })),
  customer: { customer_id: 'C-88', email: 'ada@example.test' },
};

async function startSandbox() {
  // Two builds: `--benches` alone would build no binary of the sandbox crate.
  execFileSync('cargo', ['build', '-q', '--release', '-p', 'narvar-sandbox', '--bin', 'narvar-sandbox'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('cargo', ['build', '-q', '--release', '-p', 'narvar', '--benches'], { cwd: ROOT, stdio: 'inherit' });
  const p = spawn('taskset', ['-c', '0', join(ROOT, 'target/release/narvar-sandbox'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: p.stdout }), 'line');
  return { p, url: line.trim().split(' ').pop() };
}

function reqwestLoop(url) {
  const p = spawn('cargo', ['bench', '-q', '-p', 'narvar', '--bench', 'reqwest_loop'], { cwd: ROOT, env: { ...process.env, NARVAR_BENCH_URL: url }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  return {
    async run(n) {
      p.stdin.write(`${n}\n`);
      const { value } = await lines.next();
      return Number(value.split(' ')[0]); // µs per get, #[tokio::main] (multi-thread) runtime
    },
    close() { p.stdin.end(); },
  };
}

async function perGet(n, one) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await one();
  return ((performance.now() - t) * 1000) / n;
}

async function perSecond(inFlight, batches, one) {
  await Promise.all(Array.from({ length: inFlight }, one));
  const t = performance.now();
  for (let b = 0; b < batches; b++) await Promise.all(Array.from({ length: inFlight }, one));
  return (inFlight * batches) / ((performance.now() - t) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { p: sandbox, url } = await startSandbox();
  const client = new Client({ accountId: 'acme', authToken: 'tok_test_acme', baseUrl: url, rateBudget: false });
  await client.orders.create(ORDER);
  const orderUrl = `${url}/api/v1/orders/BENCH-1`;
  const agent = new Agent({ connections: 128 });
  const headers = { authorization: AUTH, accept: 'application/json' };
  const size = (await (await fetch(orderUrl, { headers })).text()).length;

  const ours = async () => { if ((await client.orders.get('BENCH-1')).order_items[0].sku !== 'SKU-0') throw new Error('wrong'); };
  const viaUndici = async () => {
    const r = await request(orderUrl, { headers, dispatcher: agent });
    if ((await r.body.json()).order_info.order_items[0].sku !== 'SKU-0') throw new Error('wrong');
  };
  const viaFetch = async () => {
    const r = await fetch(orderUrl, { headers });
    if ((await r.json()).order_info.order_items[0].sku !== 'SKU-0') throw new Error('wrong');
  };

  const rust = reqwestLoop(url);
  const rounds = [];
  try {
    for (let r = 0; r <= ROUNDS; r++) {
      const row = { ours: await perGet(N_SEQ, ours), undici: await perGet(N_SEQ, viaUndici), fetch: await perGet(N_SEQ, viaFetch), reqwest: await rust.run(N_SEQ) };
      if (r) rounds.push(row); // the first round warms everything up
    }
  } finally {
    rust.close();
  }
  const best = (k) => Math.min(...rounds.map((r) => r[k]));
  const ratio = (a, b) => median(rounds.map((r) => r[a] / r[b]));
  console.log(`order document: ${size} bytes`);
  console.log(`1. sequential orders.get (${ROUNDS} interleaved rounds of ${N_SEQ}; best of each): narvar ${best('ours').toFixed(0)} µs, `
    + `undici.request ${best('undici').toFixed(0)} µs, fetch ${best('fetch').toFixed(0)} µs, raw reqwest ${best('reqwest').toFixed(0)} µs.`);
  console.log(`   median per-round ratios: undici/narvar ${ratio('undici', 'ours').toFixed(2)}x (goal >= 1x), fetch/narvar ${ratio('fetch', 'ours').toFixed(2)}x `
    + `(goal >= 2x), narvar/reqwest ${ratio('ours', 'reqwest').toFixed(2)}x (goal <= 1.2x)`);

  const tput = { ours: [], undici: [], fetch: [] };
  for (let r = 0; r < 5; r++) {
    tput.ours.push(await perSecond(100, 30, ours));
    tput.undici.push(await perSecond(100, 30, viaUndici));
    tput.fetch.push(await perSecond(100, 30, viaFetch));
  }
  const m = Object.fromEntries(Object.entries(tput).map(([k, v]) => [k, median(v)]));
  const perRound = median(tput.ours.map((o, i) => o / tput.undici[i]));
  console.log(`2. 100 in flight (median of 5 rounds of 3,000): narvar ${m.ours.toFixed(0)} gets/s, undici ${m.undici.toFixed(0)}/s, fetch ${m.fetch.toFixed(0)}/s `
    + `-> ${perRound.toFixed(2)}x undici (goal >= 1x), ${(m.ours / m.fetch).toFixed(2)}x fetch`);

  const imports = [];
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e',
      `const t = performance.now(); await import(${JSON.stringify(join(PKG, 'index.mjs'))}); console.log(performance.now() - t)`]);
    imports.push(Number(String(out).trim()));
  }
  console.log(`3. import('narvar'): median ${median(imports).toFixed(1)} ms of 7 fresh processes (goal <= 30 ms)`);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: PKG }).toString())[0];
  console.log(`4. tarball: ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked, ${packed.entryCount} files`);
  client.close();
  agent.close();
  sandbox.kill();
}

main().catch((e) => { console.error(e); process.exit(1); });
