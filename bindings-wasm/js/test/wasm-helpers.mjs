// The wasm package against the Node package's embedded sandbox (in this process, on loopback).
// helpers.mjs is the Node package's (bindings-node/test), copied beside these tests by
// scripts/test-wasm.sh: the same sample inputs, vectors and relay.
import { Sandbox } from 'narvar';
import { Client } from 'narvar-wasm';

/** The wasm client for the sandbox's first account: every credential, no rate budget. */
export function clientFor(sb, options = {}) {
  const [a] = sb.accounts;
  return new Client({ baseUrl: sb.url, accountId: a.account_id, authToken: a.auth_token, bearerToken: a.bearer_token,
    retailerMoniker: a.retailer_moniker, hmacKey: a.hmac_key, rateBudget: false, ...options });
}

/** Runs `fn(sandbox, wasmClient)` against a fresh sandbox, closed afterwards. */
export async function withWasm(fn, options = {}) {
  const sb = await Sandbox.start();
  try {
    return await fn(sb, clientFor(sb, options));
  } finally {
    await sb.close();
  }
}

export async function rejects(promise, Class, NarvarError) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof Class) || !(e instanceof NarvarError) || e.name !== Class.name) {
      throw new Error(`${e?.name}: ${e?.message} is not a ${Class.name}`);
    }
    return e;
  }
  throw new Error(`expected ${Class.name}`);
}
