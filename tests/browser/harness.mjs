// Shared set-up for the Chromium checks (a11y.mjs, phone.mjs, notices.mjs): one browser, pages
// that report console errors and failed sub-resources, `check` to run a named check, sign-in and
// form helpers. smoke.mjs predates this file and keeps its own copy.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

export const base = process.argv[2] ?? 'http://127.0.0.1:8080';
export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let passed = 0;
let failed = 0;

// A new browser context whose page reports console errors (CSP violations, script errors),
// failed sub-resources and network failures into `problems`; pages that answer 4xx/5xx
// themselves are listed in `documents`.
async function openPage(viewport, problems, documents, options = {}) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (r.request().resourceType() === 'document') documents.push(`${r.status()} ${new URL(r.url()).pathname}`);
    else problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) problems.push(`failed: ${r.url()} ${why}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return page;
}

/// Runs `fn(page, open, documents)` as one named check; `open(viewport, contextOptions)` gives more
/// pages (another user, no scripts) that are closed afterwards. A check fails on an exception or on any console error.
export async function check(name, fn, viewport = desktop) {
  const problems = [];
  const documents = [];
  const page = await openPage(viewport, problems, documents);
  const started = Date.now();
  try {
    const others = [];
    const open = async (vp = desktop, options = {}) => {
      const p = await openPage(vp, problems, documents, options);
      others.push(p);
      return p;
    };
    try {
      await fn(page, open, documents);
    } finally {
      for (const p of others) await p.context().close();
    }
    assert.deepEqual(problems, [], 'no console errors (CSP violations, missing assets)');
    passed += 1;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(e.message ?? e).split('\n').join('\n     ')}`);
  } finally {
    await page.context().close();
  }
}

export async function signIn(page, user, password = 'demo12345') {
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  assert.notEqual(new URL(page.url()).pathname, '/login', `${user} signed in`);
}

/// Clicks a submit button (or link) and waits for the page that answers.
export async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/// The page is no wider than the screen (nothing to scroll sideways).
export async function assertFits(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

/// The first case on the user's case list whose row matches `hasText` (any case without it).
export async function firstCase(page, hasText) {
  await page.goto(`${base}/cases`);
  const link = hasText
    ? page.locator('table tr', { hasText }).locator('a[href^="/cases/"]').first()
    : page.locator('table a[href^="/cases/"]').first();
  const href = await link.getAttribute('href', { timeout: 5000 });
  assert.match(href ?? '', /^\/cases\/\d+$/, 'a case on the list');
  return href;
}

// axe-core from the npm package (no CDN), evaluated in the page: the app's CSP allows no inline
// <script>, but an evaluation through the DevTools protocol is not a script element.
const axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/// Runs axe over the page as it is now and returns one line per element of each serious or
/// critical violation: where, rule id, impact, target.
export async function axe(page, where = new URL(page.url()).pathname) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) ${n.target.join(' ')} · ${v.help}`));
}

/// Fails with every line of `found` (see `axe`), so one run shows all of them.
export function assertNoViolations(found) {
  assert.ok(found.length === 0, `${found.length} serious or critical accessibility problems:\n${found.join('\n')}`);
}

/// Closes the browser, prints the tally and exits non-zero on a failure.
export async function finish() {
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
