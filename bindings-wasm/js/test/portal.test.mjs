// The return portal in headless Chromium (Debian's, driven by playwright-core): the page holds no
// secret, shows the core's field errors before sending anything, creates the return through its
// backend, and shows the reference, a working label link and the timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Sandbox } from 'narvar';
import { order } from './helpers.mjs';
import { clientFor } from './wasm-helpers.mjs';
import { REPO, launchChromium } from './browser.mjs';

const OUT = process.env.NARVAR_TEST_OUT ?? process.cwd();

test('a shopper returns an item through the portal', { timeout: 60_000 }, async () => {
  const sb = await Sandbox.start();
  const { startPortal } = await import(join(process.cwd(), 'portal', 'server.mjs'));
  const [a] = sb.accounts;
  const portal = await startPortal({ baseUrl: sb.url, accountId: a.account_id, authToken: a.auth_token, retailerMoniker: a.retailer_moniker, hmacKey: a.hmac_key });
  const browser = await launchChromium();
  try {
    await clientFor(sb).orders.create(order('1001'));
    sb.advance({ hours: 41 });
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    // The lookup's refusal is a 404 the page expects (Chromium logs it as a failed resource).
    page.on('console', (m) => (m.type() === 'warning' || m.type() === 'error') && !/Failed to load resource/.test(m.text()) ? problems.push(m.text()) : null);
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/portal/lookup') && !r.url().endsWith('/favicon.ico') ? problems.push(`${r.status()} ${r.url()}`) : null);
    const requestsOfPage = [];
    page.on('request', (r) => requestsOfPage.push(r));
    await page.goto(portal.url);
    await page.fill('#order-number', '1001');
    await page.fill('#email-or-zip', 'nobody@example.test');
    await page.click('#find');
    await page.waitForFunction(() => document.querySelector('#lookup-error').textContent.length > 0);
    await page.fill('#email-or-zip', 'ada@example.test');
    await page.click('#find');
    await page.waitForSelector('#return-form:not([hidden])');
    assert.equal(await page.locator('#items tr').count(), 2);

    // An invalid return: the field's error shows, and nothing reaches Narvar.
    const row = page.locator('#items tr').first();
    await row.locator('.pick').check();
    await row.locator('.qty').fill('0');
    await page.fill('#email', 'not-an-email');
    await page.click('#create');
    await page.waitForFunction(() => document.querySelector('.error[data-path="order_items[0].quantity"]').textContent.length > 0);
    assert.match(await row.locator('.error').first().textContent(), /at least 1/);
    assert.match(await page.locator('.error[data-path="email"]').textContent(), /./);
    assert.deepEqual(sb.requests('returns.create'), [], 'the invalid return was never sent');
    await page.screenshot({ path: join(OUT, 'return-portal-field-errors.png'), fullPage: true });

    await row.locator('.qty').fill('1');
    await page.fill('#email', '');
    await page.click('#create');
    await page.waitForSelector('#result:not([hidden])');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li').length > 0);
    const rrn = await page.textContent('#rrn');
    assert.ok(rrn.length > 0);
    assert.equal(sb.requests('returns.create').length, 1);
    const href = await page.getAttribute('#label-link', 'href');
    const label = await page.request.get(href);
    assert.equal(label.status(), 200);
    const bytes = await label.body();
    assert.ok(bytes.subarray(0, 4).toString() === '%PDF' || bytes.subarray(1, 4).toString() === 'PNG', 'the label is a PDF or PNG');
    const steps = await page.locator('#timeline li').allTextContents();
    assert.ok(steps.some((s) => /return/i.test(s)), steps.join(' | '));
    await page.screenshot({ path: join(OUT, 'return-portal.png'), fullPage: true });

    // Nothing the page sent carried credentials; it spoke to its own origin only.
    for (const r of requestsOfPage) {
      assert.ok(r.url().startsWith(portal.url), r.url());
      assert.equal(r.headers().authorization, undefined, r.url());
    }
    const pageText = await page.content();
    for (const secret of [a.auth_token, a.hmac_key, a.bearer_token]) assert.ok(!pageText.includes(secret));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await portal.close();
    await sb.close();
  }
});
