// Runs edge/smoke.mjs under Deno, Bun and workerd from a project where narvar-wasm is installed,
// against the Node package's embedded sandbox on loopback. `node run.mjs <project>`
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = resolve(process.argv[2]);
const BIN = join(HERE, '..', 'js', 'node_modules');
const require = createRequire(join(PROJECT, 'package.json'));
const { Sandbox } = require('narvar');
const WANT = { order: true, validation: true, webhook: true, abort: 'AbortError' };

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PROJECT, stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${out}`))));
  });
}

function check(runtime, seen) {
  const ok = JSON.stringify(seen) === JSON.stringify(WANT);
  console.log(`${ok ? 'ok' : 'FAILED'}: ${runtime} ${JSON.stringify(seen)}`);
  return ok;
}

/** A workerd config: the worker, the package's files as modules, loopback allowed out. */
function workerdConfig(dir, port, settings) {
  const dist = join(PROJECT, 'node_modules', 'narvar-wasm', 'dist');
  const files = [];
  const walk = (d) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
  walk(dist);
  const modules = files.filter((f) => /\.(js|wasm)$/.test(f)).map((f) => {
    const name = `pkg/${relative(dist, f)}`;
    const path = relative(dir, f); // embed paths are relative to the config file
    return f.endsWith('.wasm') ? `(name = "${name}", wasm = embed "${path}")` : `(name = "${name}", esModule = embed "${path}")`;
  });
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w),
               (name = "internet", network = (allow = ["private", "public", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js"),
              (name = "smoke.mjs", esModule = embed "smoke.mjs"),
              ${modules.join(',\n              ')} ],
  bindings = [ (name = "SETTINGS", json = ${JSON.stringify(JSON.stringify(settings))}) ],
  compatibilityDate = "2026-11-01", globalOutbound = "internet" );
`;
}

async function viaWorkerd(settings) {
  const dir = join(PROJECT, 'workerd');
  mkdirSync(dir, { recursive: true });
  cpSync(join(HERE, 'smoke.mjs'), join(dir, 'smoke.mjs'));
  writeFileSync(join(dir, 'worker.js'), `import * as narvar from './pkg/entry-workerd.js';
import { smoke } from './smoke.mjs';
export default {
  async fetch(request, env) {
    return Response.json(await smoke(narvar, env.SETTINGS));
  },
};
`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'config.capnp'), workerdConfig(dir, port, settings));
  const workerd = spawn(join(BIN, '@cloudflare', 'workerd-linux-64', 'bin', 'workerd'), ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        const answer = await fetch(`http://127.0.0.1:${port}/`);
        return await answer.json();
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    throw new Error('workerd did not answer');
  } finally {
    workerd.kill();
  }
}

const sb = await Sandbox.start();
let ok = true;
try {
  const settings = { baseUrl: sb.url, account: sb.accounts[0] };
  const script = `import * as narvar from 'narvar-wasm';
import { smoke } from ${JSON.stringify(join(HERE, 'smoke.mjs'))};
console.log(JSON.stringify(await smoke(narvar, ${JSON.stringify(settings)})));`;
  writeFileSync(join(PROJECT, 'edge-smoke.mjs'), script);
  const deno = await run(join(BIN, '.bin', 'deno'), ['run', '--quiet', '--allow-net=127.0.0.1', '--allow-read', 'edge-smoke.mjs'], { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' } });
  ok = check(`deno ${(await run(join(BIN, '.bin', 'deno'), ['--version'])).split('\n')[0]}`, JSON.parse(deno)) && ok;
  const bun = await run(join(BIN, '.bin', 'bun'), ['run', 'edge-smoke.mjs']);
  ok = check(`bun ${(await run(join(BIN, '.bin', 'bun'), ['--version'])).trim()}`, JSON.parse(bun)) && ok;
  ok = check('workerd', await viaWorkerd(settings)) && ok;
} finally {
  await sb.close();
}
process.exit(ok ? 0 : 1);
