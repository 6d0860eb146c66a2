// The I/O the wasm core is given: `fetch`, timers, clocks and `crypto.getRandomValues`, the
// same globals in browsers, Node, Deno, Bun and workerd. Each pending operation can be stopped
// (`abort`): the Rust side stops it when its future is dropped (an aborted call, a deadline).

/** Sends one request and reads at most `maxBytes + 1` bytes of the body. */
export function startFetch(method, url, headers, body, maxBytes) {
  const controller = new AbortController();
  const init = { method, headers: pairs(headers), redirect: 'manual', signal: controller.signal };
  if (body.length > 0) init.body = body;
  const promise = (async () => {
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      // Browsers do not say whether the request left (a refused connection and a reset look the
      // same), so it may have; Node and Deno name a refused connection, which never sent it.
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      const refused = /ECONNREFUSED|Connection refused/i.test(cause);
      throw { maybeSent: !refused, detail: `fetch failed: ${cause}` };
    }
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => {});
      throw { maybeSent: true, detail: `a redirect (${response.status}) was not followed` };
    }
    const out = [];
    response.headers.forEach((v, k) => out.push(k, v));
    let bytes;
    try {
      bytes = await readBounded(response, maxBytes);
    } catch (e) {
      throw { maybeSent: true, detail: `the response body failed: ${e?.message ?? e}` };
    }
    return { status: response.status, headers: out, body: bytes };
  })();
  return { promise, abort: () => controller.abort() };
}

function pairs(flat) {
  const h = [];
  for (let i = 0; i + 1 < flat.length; i += 2) h.push([flat[i], flat[i + 1]]);
  return h;
}

async function readBounded(response, maxBytes) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      // Enough to know it is too large: stop reading.
      reader.cancel().catch(() => {});
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/** Resolves after `ms`; `abort` clears the timer (so nothing keeps Node or a worker alive). */
export function startTimer(ms) {
  let id;
  const promise = new Promise((resolve) => {
    id = setTimeout(resolve, ms);
  });
  return { promise, abort: () => clearTimeout(id) };
}

export function monotonicMs() {
  return performance.now();
}

export function wallMs() {
  return Date.now();
}

// `crypto.getRandomValues` drawn in blocks: one call costs about 10 µs in Node, and every
// request takes 24 bytes (its tracer id, the retry jitter).
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let taken = 0;

/** `n` random bytes from the platform's CSPRNG (each byte handed out once). */
export function randomBytes(n) {
  if (n > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(n));
  if (taken + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    taken = 0;
  }
  taken += n;
  return pool.slice(taken - n, taken);
}
