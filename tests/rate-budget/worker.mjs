// One Node worker of the shared-budget import: creates every order of a JSONL file, one at a
// time, with the client from the NARVAR_* environment (or, with --options, from the same
// settings as constructor options). Prints {"imported": n, "failed": [...]}.
// Run as: node worker.mjs FILE NODE_PROJECT_DIR [--options]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [file, project] = process.argv.slice(2);
const { Client, NarvarError } = createRequire(join(project, 'package.json'))('narvar');
const env = process.env;
const client = process.argv.includes('--options')
  ? new Client({
      accountId: env.NARVAR_ACCOUNT_ID, authToken: env.NARVAR_AUTH_TOKEN, baseUrl: env.NARVAR_BASE_URL,
      rateBudget: env.NARVAR_RATE_BUDGET, rateBudgetRedis: env.NARVAR_RATE_BUDGET_REDIS,
      rateBudgetWorkers: Number(env.NARVAR_RATE_BUDGET_WORKERS),
    })
  : Client.fromEnv();

let imported = 0;
const failed = [];
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const order = JSON.parse(line);
  try {
    await client.orders.create(order);
    imported += 1;
  } catch (e) {
    if (!(e instanceof NarvarError)) throw e;
    failed.push({ order_number: order.order_number, code: e.code, message: e.message });
  }
}
console.log(JSON.stringify({ imported, failed }));
