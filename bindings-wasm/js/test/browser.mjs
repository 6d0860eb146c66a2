// Debian's Chromium, headless, through the repository's playwright-core (no browser download).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = process.env.NARVAR_REPO;

export async function launchChromium() {
  const { chromium } = await import(pathToFileURL(join(REPO, 'bindings-wasm', 'js', 'node_modules', 'playwright-core', 'index.mjs')).href);
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
