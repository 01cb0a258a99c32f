// Notices, messages on the case and the approvals inbox, as people use them: a filer on a phone
// hears that its complaint moved and answers on the case; a supervisor approves an officer's
// extension request from the inbox.
// Usage: node tests/browser/notices.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import {
  assertFits, assertNoViolations, axe, base, check, desktop, finish, firstCase, phone, signIn, submit,
} from './harness.mjs';

await check('a filer on a phone is told that its complaint was routed, opens the case and answers on 沟通 with a file', async (page, open) => {
  // A complaint of demo-enterprise that waits for triage.
  await signIn(page, 'demo-enterprise');
  const href = await firstCase(page, '待分诊');
  const number = (await page.locator(`a[href="${href}"]`).first().textContent()).trim();

  // The triager routes it to an administrative ruling.
  const triager = await open(desktop);
  await signIn(triager, 'demo-triager');
  await triager.goto(`${base}${href}`);
  const route = triager.locator('form:has(input[name=action][value=route])');
  await route.locator('select[name=queue]').selectOption({ label: '专利侵权纠纷行政裁决' });
  await submit(triager, 'form:has(input[name=action][value=route]) button[type=submit]');
  assert.match(await triager.textContent('.flash'), /已分流/);

  // The filer sees the notice, unread, with a count on the menu button.
  await page.goto(`${base}/`);
  assert.match(await page.textContent('header .menu > summary'), /菜单\s*\d+/, 'the menu button carries the unread count');
  await page.click('header .menu > summary');
  await submit(page, 'nav a[href="/notifications"]');
  const notice = page.locator('ul.notices li.unread', { has: page.locator(`a[href="${href}"]`), hasText: '分流' }).first();
  assert.match(await notice.textContent(), new RegExp(`案件进展[\\s\\S]*${number}[\\s\\S]*专利侵权纠纷行政裁决`));
  await assertFits(page);
  assertNoViolations(await axe(page, '/notifications (phone)'));

  // It opens the case and answers on the 沟通 card, attaching a file.
  await submit(page, `ul.notices li.unread:has-text("分流") a[href="${href}"]`);
  assert.equal(new URL(page.url()).pathname, href);
  assert.match(await page.textContent('.case-head'), /专利侵权纠纷行政裁决/);
  const body = `已补充购买凭证，请查收。${Date.now()}`;
  await page.fill('#msg-body', body);
  await page.setInputFiles('#msg-file', { name: '购买凭证.txt', mimeType: 'text/plain', buffer: Buffer.from('购买凭证：2026 年 3 月\n') });
  await submit(page, '#messages button[type=submit]');
  assert.equal(new URL(page.url()).pathname, href);
  const message = page.locator('#messages li.message.from-filer', { hasText: body });
  assert.equal(await message.count(), 1, 'the message shows on the card');
  assert.ok(await message.locator('a[href^="/evidence/"]').first().isVisible(), 'with its file');
  await assertFits(page);
  assertNoViolations(await axe(page, `${href} (phone, after the answer)`));
}, phone);

await check('an officer asks for more time on a ruling case, the supervisor approves it in the approvals inbox', async (page, open) => {
  await signIn(page, 'demo-officer');
  const href = await firstCase(page, '答辩期');
  await page.goto(`${base}${href}`);
  // The closing clock of an administrative ruling (结案期限) can be extended.
  const clock = page.locator('#deadlines .clock', { hasText: '结案期限' });
  await clock.locator('details:has(form) > summary').click();
  const form = clock.locator('form:has(input[name=action][value=request])');
  await form.locator('select[name=tier]').selectOption('department_head');
  await form.locator('input[name=amount]').fill('1');
  await form.locator('textarea[name=reason]').fill('需要等待专利权评价报告');
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.match(await page.textContent('#deadlines'), /延长申请待审批：1\s*个月/);

  const supervisor = await open(desktop);
  await signIn(supervisor, 'demo-supervisor');
  await supervisor.goto(`${base}/approvals`);
  const item = supervisor.locator('table.approvals tbody tr', { has: supervisor.locator(`a[href="${href}"]`) })
    .filter({ has: supervisor.locator('input[name=request_seq]') });
  assert.equal(await item.count(), 1, 'the request waits in the inbox');
  assert.match(await item.textContent(), /结案期限/);
  assertNoViolations(await axe(supervisor, '/approvals (a request waiting)'));
  await item.locator('input[name=reason]').fill('同意延长一个月');
  await Promise.all([supervisor.waitForNavigation(), item.locator('button[value=approve]').click()]);
  assert.equal(new URL(supervisor.url()).pathname, '/approvals');
  assert.equal(await item.count(), 0, 'the approved request has left the inbox');

  // The case shows the extension, to the supervisor and to the officer.
  for (const p of [supervisor, page]) {
    await p.goto(`${base}${href}`);
    const text = await p.textContent('#deadlines .clock:has-text("结案期限")');
    assert.match(text, /已延长 1\s*个月（现截止 \d{4}-\d{2}-\d{2}/);
    assert.doesNotMatch(text, /延长申请待审批/);
  }
});

await finish();
