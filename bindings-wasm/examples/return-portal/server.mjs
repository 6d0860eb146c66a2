// The return portal's backend: it holds the Narvar credentials, so the page never does.
//
//   POST /portal/lookup {order_number, email | zip}   checks the shopper against the order (with its
//        own client), opens a session for that one order, and answers a tracking grant for it;
//   /narvar/*   the page's requests: `identify` says which operation each is, the session must
//        allow it for its order, then Basic credentials are added and it goes on to Narvar;
//   everything else: the page (public/) and the wasm package (/pkg/).
//
// Run: NARVAR_BASE_URL=... NARVAR_ACCOUNT_ID=... NARVAR_AUTH_TOKEN=... NARVAR_RETAILER_MONIKER=...
//      NARVAR_HMAC_KEY=... node server.mjs   (or `startPortal(settings)` from a test)
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, identify, trackingGrant, NarvarError, NotFoundError } from 'narvar-wasm';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = dirname(fileURLToPath(import.meta.resolve('narvar-wasm')));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
// What a shopper's page may do, each for the order of its session only.
const ALLOWED = new Set(['orders.get', 'returns.create', 'returns.get', 'tracking.by_order']);

/** Starts the portal on 127.0.0.1 (`port` 0: any free one); `{ url, close }`. */
export async function startPortal({ baseUrl, accountId, authToken, retailerMoniker, hmacKey, port = 0 }) {
  const narvar = new Client({ baseUrl, accountId, authToken, retailerMoniker, hmacKey });
  const basic = `Basic ${btoa(`${accountId}:${authToken}`)}`;
  const sessions = new Map(); // session id -> { orderNumber, returns: Set }

  async function lookup(req, res) {
    const { order_number: orderNumber, email, zip } = JSON.parse((await body(req)).toString() || '{}');
    let order;
    try {
      order = await narvar.orders.get(String(orderNumber ?? ''));
    } catch (e) {
      if (e instanceof NotFoundError || (e instanceof NarvarError && e.code === 'validation')) return json(res, 404, { message: 'No order matches.' });
      throw e;
    }
    const zips = (order.shipments ?? []).map((s) => s.shipped_to?.address?.zip).filter(Boolean);
    const matches = (email && order.customer?.email?.toLowerCase() === String(email).toLowerCase()) || (zip && zips.includes(String(zip)));
    if (!matches) return json(res, 404, { message: 'No order matches.' });
    const id = randomBytes(18).toString('base64url');
    sessions.set(id, { orderNumber: order.order_number, returns: new Set() });
    res.setHeader('set-cookie', `portal=${id}; HttpOnly; SameSite=Strict; Path=/`);
    json(res, 200, { grant: trackingGrant({ retailerMoniker, hmacKey }, order.order_number) });
  }

  async function forward(req, res) {
    const session = sessions.get(/(?:^|;\s*)portal=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1]);
    const payload = await body(req);
    const path = req.url.slice('/narvar'.length);
    let what = null;
    try {
      what = identify(req.method, path, new Uint8Array(payload));
    } catch {
      // A request the core cannot read: refused below.
    }
    const { operation, input } = what ?? {};
    const own = session && (input?.order_number === session.orderNumber || session.returns.has(input?.return_reference_number));
    if (!ALLOWED.has(operation) || !own) return json(res, 403, { status: 'FAILURE', messages: [{ code: 'portal.forbidden', message: 'Not for this session.' }] });
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    for (const h of ['idempotency-key', 'x-narvar-tracer-id']) if (req.headers[h]) headers[h] = req.headers[h];
    // Tracking by order is signed by the grant's tokens in its query; everything else by the account.
    if (operation !== 'tracking.by_order') headers.authorization = basic;
    const answer = await fetch(baseUrl + path, { method: req.method, headers, body: payload.length ? payload : undefined });
    const text = Buffer.from(await answer.arrayBuffer());
    if (operation === 'returns.create' && answer.ok) {
      const rrn = JSON.parse(text.toString()).return_reference_number;
      if (rrn) session.returns.add(rrn);
    }
    const passOn = ['content-type', 'date', 'retry-after', 'x-narvar-request-id'].filter((h) => answer.headers.has(h));
    res.writeHead(answer.status, Object.fromEntries(passOn.map((h) => [h, answer.headers.get(h)]))).end(text);
  }

  async function file(req, res) {
    const url = new URL(req.url, 'http://portal');
    const [root, rel] = url.pathname.startsWith('/pkg/') ? [PKG, url.pathname.slice(5)] : [join(HERE, 'public'), url.pathname === '/' ? 'index.html' : url.pathname.slice(1)];
    const path = normalize(join(root, rel));
    if (!path.startsWith(root)) return json(res, 404, {});
    try {
      const data = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(data);
    } catch {
      json(res, 404, { message: 'not found' });
    }
  }

  const server = http.createServer((req, res) => {
    const handle = req.url === '/portal/lookup' && req.method === 'POST' ? lookup : req.url.startsWith('/narvar/') ? forward : file;
    handle(req, res).catch((e) => json(res, 502, { message: `The portal could not reach Narvar (${e?.code ?? 'error'}).` }));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function body(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 1 << 20) throw Object.assign(new Error('body too large'), { code: 'too_large' });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const portal = await startPortal({ baseUrl: env.NARVAR_BASE_URL, accountId: env.NARVAR_ACCOUNT_ID, authToken: env.NARVAR_AUTH_TOKEN,
    retailerMoniker: env.NARVAR_RETAILER_MONIKER, hmacKey: env.NARVAR_HMAC_KEY, port: Number(env.PORT ?? 8080) });
  console.log(`return portal on ${portal.url}`);
}
