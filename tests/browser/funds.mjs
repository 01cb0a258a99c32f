// Overseas mutual-aid funds (issue 19): the enterprise applies from its overseas case on a phone,
// naming its invoice; a supervisor of the managing office decides it (a refused amount comes
// back with the form filled in); the enterprise hears of the decision.
// Usage: node tests/browser/funds.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import {
  assertFits, assertNoViolations, axe, base, check, desktop, finish, phone, signIn, submit,
} from './harness.mjs';

let applicationPath = '';

await check('on a phone the enterprise applies to the fund from its overseas case', async (page) => {
  await signIn(page, 'demo-enterprise');
  // The demo's decided application leads to its US 337 case.
  await page.goto(`${base}/funds`);
  await assertFits(page);
  await page.click('a:has-text("南通市海外知识产权维权互助基金")');
  await page.waitForLoadState('load');
  const mine = page.locator('table a[href^="/fund-applications/"]').first();
  await submit(page, `a[href="${await mine.getAttribute('href')}"]`);
  await submit(page, 'p a[href^="/cases/"]');
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);
  const card = page.locator('#funds');
  assert.ok(await card.locator('text=已批准').isVisible(), 'the case shows its decided application');
  await assertFits(page);
  await submit(page, '#funds a.button');
  assert.equal(new URL(page.url()).pathname, '/fund-applications/new');
  await assertFits(page);
  assertNoViolations(await axe(page));

  // Sent without proof: the form comes back filled in, with the field's message.
  await page.fill('#claimed_yuan', '35,000');
  await page.fill('#costs', '337调查第二阶段：技术专家证人费用');
  await submit(page, 'form.form button[type=submit]');
  assert.equal(await page.inputValue('#claimed_yuan'), '35,000');
  assert.ok(await page.locator('text=请至少选择一份发票或合同等证明材料').isVisible());
  await page.check('input[name=evidence]');
  await submit(page, 'form.form button[type=submit]');
  assert.match(new URL(page.url()).pathname, /^\/fund-applications\/\d+$/);
  applicationPath = new URL(page.url()).pathname;
  assert.ok(await page.locator('h1 .tag:has-text("待审核")').isVisible());
  assert.ok(await page.locator('text=24,500.00 元').isVisible(), 'the cap: 35,000 less 30 %');
  await assertFits(page);
}, phone);

await check('the supervisor decides it; an amount above the cap comes back refused', async (page, open) => {
  assert.ok(applicationPath, 'the application was filed');
  await signIn(page, 'demo-supervisor');
  await page.goto(`${base}${applicationPath}`);
  assertNoViolations(await axe(page));
  await page.check('input[name=outcome][value=approve]');
  await page.fill('#amount_yuan', '30000');
  await page.fill('#reasons', '费用真实，属于资助范围。');
  await page.check('input[name=confirm]');
  await submit(page, 'form[action$="/decision"] button[type=submit]');
  assert.ok(await page.locator('text=批准金额超过可资助上限').isVisible());
  assert.equal(await page.inputValue('#reasons'), '费用真实，属于资助范围。', 'nothing typed is lost');
  await page.fill('#amount_yuan', '24000');
  await page.check('input[name=confirm]');
  await submit(page, 'form[action$="/decision"] button[type=submit]');
  assert.ok(await page.locator('h1 .tag:has-text("已批准")').isVisible());
  assert.ok(await page.locator('form[action$="/payouts"]').isVisible(), 'the payout form is offered');

  // The enterprise hears of it on its phone.
  const ent = await open(phone);
  await signIn(ent, 'demo-enterprise');
  await ent.goto(`${base}/notifications`);
  assert.ok(await ent.locator('text=互助基金申请已决定').first().isVisible());
  await ent.goto(`${base}${applicationPath}`);
  assert.ok(await ent.locator('text=费用真实，属于资助范围。').isVisible());
  assert.equal(await ent.locator('form[action$="/decision"]').count(), 0);
});

await check('the fund page shows its books to the managing office', async (page) => {
  await signIn(page, 'demo-supervisor');
  await page.goto(`${base}/funds`);
  await page.click('a:has-text("南通市海外知识产权维权互助基金")');
  await page.waitForLoadState('load');
  assert.ok(await page.locator('#ledger-title').isVisible());
  assert.ok(await page.locator('td:has-text("记账凭证 2026-118")').isVisible());
  assert.ok(await page.locator('td.num:has-text("1,950,000.00")').first().isVisible(), 'the balance after the demo payout');
}, desktop);

await finish();
