// Shared by the tests: sample inputs, the repository's vectors, a sandbox per test.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Sandbox } from 'narvar';

// Tests run from a copy beside the installed package (scripts/test-node.sh) or from the source
// tree; NARVAR_REPO names the repository either way.
export const REPO = process.env.NARVAR_REPO ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package's native half, as the installed package loads it (for conformance replay). */
export function nativeOf() {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('narvar'));
  return { native: require(join(root, 'lib', 'native.js')), errors: require(join(root, 'lib', 'errors.js')) };
}

export function vectors() {
  const dir = join(REPO, 'tests', 'vectors');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

export function order(n, extra = {}) {
  return {
    order_number: n, order_date: '2024-03-09T17:45:00Z', currency_code: 'USD',
    order_items: [{ sku: 'MUG', item_id: 'L1', name: 'Blue mug', quantity: 2, unit_price: 14.5 },
      { sku: 'CUP', name: 'Cup', quantity: 1, unit_price: '3.00' }],
    shipments: [{ carrier: 'usps', tracking_number: `T-${n}`, ship_date: '2024-03-10',
      items_info: [{ sku: 'MUG', item_id: 'L1', quantity: 2 }],
      shipped_to: { first_name: 'Ada', address: { street_1: '12 Elm St', zip: '78701', country: 'US' } } }],
    customer: { email: 'ada@example.test' },
    ...extra,
  };
}

export function aReturn(n) {
  return { order_number: n, billing_zip: '78701', carrier: 'usps',
    order_items: [{ sku: 'MUG', quantity: 1, return_reason_code: 'DAMAGED' }] };
}

/** Runs `fn(sandbox, client)` against a fresh sandbox, closed afterwards. */
export async function withSandbox(fn) {
  const sb = await Sandbox.start();
  try {
    return await fn(sb, sb.client({ rateBudget: false }));
  } finally {
    await sb.close();
  }
}
