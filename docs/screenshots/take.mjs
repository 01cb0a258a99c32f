// Takes the README screenshots from a running demo server with Debian's Chromium.
// Usage: npm install playwright-core && node docs/screenshots/take.mjs http://127.0.0.1:8080 docs/screenshots
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const out = process.argv[3] ?? 'docs/screenshots';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

async function shoot(user, pages, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  if (!user) {
    await page.screenshot({ path: `${out}/${pages[0]}.png`, fullPage: true });
    await context.close();
    return;
  }
  await page.fill('#username', user);
  await page.fill('#password', 'demo12345');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  for (const [path, name] of pages) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  }
  await context.close();
}

await shoot(null, ['login']);
{
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  await page.screenshot({ path: `${out}/register-phone.png`, fullPage: true });
  await context.close();
}
await shoot('demo-admin', [['/', 'dashboard-admin'], ['/admin/orgs', 'orgs'], ['/admin/users', 'users'], ['/admin/audit', 'audit'], ['/admin/calendar?year=2026', 'calendar']]);
await shoot('demo-officer', [['/', 'dashboard-officer']]);
await shoot('demo-enterprise', [['/', 'dashboard-enterprise-phone']], { width: 390, height: 844 });
await browser.close();
console.log('screenshots written to', out);
