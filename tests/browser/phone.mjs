// What users tripped over on a phone and on paper (issue 16): the header folds its navigation
// behind a menu button, the receipt prints on one A4 sheet, the evidence table fits 390 px.
// Usage: node tests/browser/phone.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import {
  assertFits, assertNoViolations, axe, base, check, desktop, finish, firstCase, phone, signIn,
} from './harness.mjs';

const headerHeight = (page) => page.$eval('header.top', (el) => el.getBoundingClientRect().height);

// What Chromium tells a screen reader about the menu button (a <summary> is a disclosure button
// with an expanded state, which Playwright's role selectors do not model): "expanded"/"collapsed".
async function menuState(page) {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const menu = nodes.filter((n) => !n.ignored && /菜单/.test(n.name?.value ?? '')
    && ['DisclosureTriangle', 'button'].includes(n.role?.value));
  assert.equal(menu.length, 1, 'one menu button in the accessibility tree');
  const expanded = menu[0].properties?.find((p) => p.name === 'expanded')?.value?.value;
  return expanded ? 'expanded' : 'collapsed';
}

for (const user of ['demo-officer', 'demo-enterprise']) {
  await check(`${user}'s header on a phone is one row with a menu button that opens the navigation`, async (page) => {
    await signIn(page, user);
    const menu = page.locator('header .menu > summary');
    const cases = page.locator('nav a[href="/cases"]');
    assert.ok(await menu.isVisible(), 'the menu button is shown');
    assert.equal(await cases.isVisible(), false, 'the links are folded away');
    const closed = await headerHeight(page);
    assert.ok(closed <= 120, `the closed header is ${closed}px tall`);
    // A screen reader hears a collapsed button that names the menu.
    assert.equal(await menuState(page), 'collapsed');

    await menu.click();
    assert.equal(await page.getAttribute('header .menu', 'open'), '', 'the menu is open');
    assert.equal(await menuState(page), 'expanded');
    for (const href of ['/', '/cases', '/notifications', '/account']) {
      assert.ok(await page.locator(`nav a[href="${href}"]`).isVisible(), `${href} is in the open menu`);
    }
    assert.ok(await page.locator('button:has-text("退出登录")').isVisible(), 'sign-out is in the menu');
    assert.ok(await page.locator('a.lang').isVisible(), 'the language switch is in the menu');
    await assertFits(page);
    // The keyboard closes it again.
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('header .menu', 'open'), null, 'Enter closes the menu');
    assert.equal(await cases.isVisible(), false);
    // A link in the menu goes where it says.
    await menu.click();
    await Promise.all([page.waitForNavigation(), cases.click()]);
    assert.equal(new URL(page.url()).pathname, '/cases');
    assert.ok((await headerHeight(page)) <= 120, 'closed again on the next page');
  }, phone);
}

await check('on a wide screen the navigation shows without a menu button', async (page) => {
  await signIn(page, 'demo-officer');
  assert.equal(await page.locator('header .menu > summary').isVisible(), false);
  assert.ok(await page.locator('nav a[href="/cases"]').isVisible());
  assert.ok(await page.locator('button:has-text("退出登录")').isVisible());
});

await check('the receipt has a print button and prints on one A4 sheet without the page furniture', async (page, open) => {
  await signIn(page, 'demo-enterprise');
  const receipt = `${await firstCase(page)}/receipt`;
  await page.goto(`${base}${receipt}`);
  assert.match(await page.textContent('main'), /请保存本回执/);
  const print = page.locator('button[data-print]');
  assert.equal(await print.textContent(), '打印回执');
  assert.ok(await print.isVisible(), 'the script shows the button');
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await print.click();
  assert.equal(await page.evaluate(() => window.printed), 1, 'the button opens the print dialog');

  await page.emulateMedia({ media: 'print' });
  for (const sel of ['header.top', 'footer.foot', 'button[data-print]', 'a.button']) {
    assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
  }
  const ink = await page.$eval('.receipt', (el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor,
    getComputedStyle(document.body).backgroundColor]);
  assert.deepEqual(ink, ['rgb(0, 0, 0)', 'rgb(255, 255, 255)', 'rgb(255, 255, 255)'], 'black on white');
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  const sheets = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.equal(sheets, 1, `the receipt prints on ${sheets} A4 sheets`);
  await page.emulateMedia({ media: 'screen' });

  // Without scripts there is no dead button, and the note says how to print.
  const plain = await open(phone, { javaScriptEnabled: false });
  await signIn(plain, 'demo-enterprise');
  await plain.goto(`${base}${receipt}`);
  assert.equal(await plain.locator('button[data-print]').isVisible(), false);
  assert.match(await plain.textContent('main'), /Ctrl\+P/);
  await assertFits(plain);
});

await check('the evidence table on a phone shows short hashes with a copy button and fits the screen', async (page, open) => {
  // An officer attaches a file to a ruling case.
  const officer = await open(desktop);
  await signIn(officer, 'demo-officer');
  const href = await firstCase(officer, '行政裁决');
  await officer.goto(`${base}${href}`);
  const text = `现场取证记录 ${Date.now()}\n`;
  await officer.selectOption('#evidence-kind', { index: 0 });
  await officer.fill('#evidence-description', '展会现场取证记录（浏览器测试）');
  await officer.setInputFiles('#evidence-file', { name: 'record.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await Promise.all([officer.waitForNavigation(), officer.click('#evidence-upload button[type=submit]')]);
  const { createHash } = await import('node:crypto');
  const sha256 = createHash('sha256').update(text).digest('hex');

  // The same case on a phone, clipboard allowed.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await signIn(page, 'demo-officer');
  await page.goto(`${base}${href}`);
  const row = page.locator('table.evidence-list tr', { has: page.locator(`button[data-copy="${sha256}"]`) });
  const short = row.locator('code.hash.short').first();
  assert.equal(await short.textContent(), `${sha256.slice(0, 12)}…`);
  assert.equal(await short.getAttribute('title'), sha256);
  await assertFits(page);
  const wrap = await page.$eval('#evidence .table-wrap', (el) => el.scrollWidth - el.clientWidth);
  assert.ok(wrap <= 0, `the evidence table scrolls ${wrap}px sideways`);
  const copy = row.locator(`button[data-copy="${sha256}"]`);
  assert.ok(await copy.isVisible(), 'the copy button is shown');
  await copy.click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), sha256, 'the full hash is copied');
  await page.waitForFunction(() => document.getElementById('copy-status')?.textContent === '已复制');
  // The whole value is also one tap away in the item's details.
  const more = page.locator('tr.evidence-more details.hashes-full', { hasText: sha256 });
  await more.locator('summary').click();
  assert.ok(await more.locator('code.hash', { hasText: sha256 }).isVisible());
  await assertFits(page);
  assertNoViolations(await axe(page, `${href} (phone, evidence)`));
}, phone);

await finish();
