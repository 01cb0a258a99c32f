// End-to-end checks in a real Chromium against a running demo server.
// Usage: node tests/browser/smoke.mjs http://127.0.0.1:PORT
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let passed = 0;
let failed = 0;
async function check(name, fn, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  // Console errors (CSP violations, script errors) and failed sub-resources (CSS, icons). A page
  // itself may answer 401 or 422 on purpose (a wrong password, a form with errors).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  try {
    await fn(page);
    assert.deepEqual(problems, [], 'no console errors (CSP violations, missing assets)');
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(e.message ?? e).split('\n').join('\n     ')}`);
  } finally {
    await context.close();
  }
}

async function signIn(page, user, password = 'demo12345') {
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

await check('the sign-in page is Chinese and styled by the embedded stylesheet', async (page) => {
  await page.goto(`${base}/login`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.textContent('h1'), '登录');
  const bg = await page.$eval('header.top', (el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(179, 38, 30)', 'app.css applied under the CSP');
});

await check('a wrong password shows one message and keeps the name', async (page) => {
  await signIn(page, 'demo-officer', 'not-the-password');
  assert.match(await page.textContent('.error'), /用户名或密码错误/);
  assert.equal(await page.inputValue('#username'), 'demo-officer');
});

for (const [user, role] of [['demo-admin', '系统管理员'], ['demo-triager', '分诊员'], ['demo-officer', '执法人员'],
                            ['demo-supervisor', '负责人'], ['demo-industry', '执法人员'], ['demo-enterprise', '企业申报人'],
                            ['demo-enterprise2', '企业申报人']]) {
  await check(`${user} lands on the ${role} dashboard and can sign out`, async (page) => {
    await signIn(page, user);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.textContent('main h2'), new RegExp(role));
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("退出登录")')]);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/login', 'signed out for real');
  });
}

await check('the English switch translates the page and stays on it', async (page) => {
  await signIn(page, 'demo-officer');
  await Promise.all([page.waitForLoadState('load'), page.click('a.lang')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('main h2'), /Officer/);
});

await check('an admin gets a field message for a wrong credit code, then saves the enterprise', async (page) => {
  await signIn(page, 'demo-admin');
  await page.goto(`${base}/admin/orgs/new`);
  await page.fill('#name', '南通浏览器测试有限公司');
  await page.selectOption('#kind', 'enterprise');
  await page.fill('#uscc', '91320602MA1T7KJ3P0');
  await page.fill('#region_code', '320602');
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("保存")')]);
  const message = await page.textContent('.field-error');
  assert.match(message, /统一社会信用代码/);
  assert.equal(await page.inputValue('#name'), '南通浏览器测试有限公司', 'the form comes back filled in');
  // Correct the code: compute the check character the way GB 32100 does.
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const body = '91320602MA1T7KJ3P';
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((s, c, i) => s + chars.indexOf(c) * w[i], 0);
  await page.fill('#uscc', body + chars[(31 - (sum % 31)) % 31]);
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("保存")')]);
  assert.equal(new URL(page.url()).pathname, '/admin/orgs');
  assert.match(await page.textContent('.flash'), /已保存/);
  assert.match(await page.textContent('table'), /南通浏览器测试有限公司/);
});

await check('disabling a user needs the confirmation box', async (page) => {
  await signIn(page, 'demo-admin');
  await page.goto(`${base}/admin/users`);
  await Promise.all([page.waitForLoadState('load'), page.click('tr:has-text("demo-enterprise2") a:has-text("编辑")')]);
  const valid = await page.$eval('form[action$="/status"]', (f) => f.checkValidity());
  assert.equal(valid, false, 'the browser refuses to submit without the box ticked');
});

await check('an enterprise registers on a phone and is told what is wrong first', async (page) => {
  await page.goto(`${base}/login`);
  await Promise.all([page.waitForLoadState('load'), page.click('a[href="/register"]')]);
  await page.fill('#name', '南通浏览器注册测试有限公司');
  await page.fill('#uscc', '91320600MA1W9HR2K0');
  await page.fill('#region_code', '320600');
  await page.fill('#contact_name', '周华');
  await page.fill('#contact_phone', '13900000000');
  await page.fill('#username', 'browser-reg');
  await page.fill('#password', 'Browser-2026');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  assert.match(await page.textContent('.field-error'), /统一社会信用代码/);
  assert.equal(await page.inputValue('#contact_name'), '周华');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
}, { width: 390, height: 844 });

await check('the calendar page lists the make-up working days', async (page) => {
  await signIn(page, 'demo-admin');
  await page.goto(`${base}/admin/calendar?year=2025`);
  assert.match(await page.textContent('main'), /2025-09-28/);
  assert.match(await page.textContent('main'), /调休上班/);
});

await check('the enterprise dashboard fits a phone screen', async (page) => {
  await signIn(page, 'demo-enterprise');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  assert.match(await page.textContent('main'), /南通华信精密机械有限公司/);
}, { width: 390, height: 844 });

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
