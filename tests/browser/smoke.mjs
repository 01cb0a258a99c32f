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
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

// A new browser context whose page reports console errors (CSP violations, script errors),
// failed sub-resources (CSS, icons) and network failures into `problems`. A page itself may
// answer 401 or 422 on purpose (a wrong password, a form with errors): those are in `documents`.
async function openPage(viewport, problems, documents = []) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (r.request().resourceType() === 'document') documents.push(`${r.status()} ${new URL(r.url()).pathname}`);
    else problems.push(`${r.status()} ${r.url()}`);
  });
  // A request cancelled because the page moved on (ERR_ABORTED) is no failure.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) problems.push(`failed: ${r.url()} ${why}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return page;
}

async function check(name, fn, viewport = desktop) {
  const problems = [];
  const documents = [];
  const page = await openPage(viewport, problems, documents);
  try {
    // `fn` may open more pages (another user) with `open(viewport)`; they report the same way.
    // `documents` lists the pages that answered 4xx/5xx, for checks that expect some.
    const others = [];
    const open = async (vp = desktop) => { const p = await openPage(vp, problems, documents); others.push(p); return p; };
    try {
      await fn(page, open, documents);
    } finally {
      for (const p of others) await p.context().close();
    }
    assert.deepEqual(problems, [], 'no console errors (CSP violations, missing assets)');
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(e.message ?? e).split('\n').join('\n     ')}`);
  } finally {
    await page.context().close();
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
                            ['demo-enterprise2', '企业申报人'], ['demo-officer2', '执法人员']]) {
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
  await page.fill('#region_code', '320613');
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
  await page.fill('#position', '法务经理');
  await page.fill('#contact_phone', '13900000000');
  await page.fill('#username', 'browser-reg');
  await page.fill('#password', 'Browser-2026');
  await page.fill('#confirm_password', 'Browser-2026');
  await page.selectOption('#document_kind', 'business_licence');
  await page.setInputFiles('#document', {
    name: '营业执照.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%%EOF\n'),
  });
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  assert.match(await page.textContent('.field-error'), /统一社会信用代码/);
  assert.equal(await page.inputValue('#contact_name'), '周华');
  assert.equal(await page.inputValue('#position'), '法务经理');
  assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
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

// ------------------------------------------------------------------ the complaint journey

// Every form that posts carries the CSRF token.
async function assertCsrf(page) {
  const forms = await page.$$eval('form', (fs) => fs.map((f) => ({
    action: f.getAttribute('action'),
    post: (f.getAttribute('method') ?? 'get').toLowerCase() === 'post',
    csrf: f.querySelector('input[type=hidden][name=_csrf]')?.value ?? '',
  })));
  const posts = forms.filter((f) => f.post);
  assert.ok(posts.length > 0, `${page.url()} has a form that posts`);
  for (const f of posts) assert.ok(f.csrf.length >= 16, `${page.url()}: form ${f.action} has a CSRF field`);
}

async function assertFits(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

// Clicks a submit button (or link) and waits for the page that answers.
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}

await check('an enterprise files against two respondents on a phone, a triager routes it to a ruling, an officer dockets with a panel, serves, records the answer, decides and publishes, the enterprise sees the ruling', async (page, open, documents) => {
  await signIn(page, 'demo-enterprise');
  await page.goto(`${base}/complaints/new`);
  await assertCsrf(page);
  const exhibition = page.locator('fieldset[data-for-channel="exhibition"]');
  const overseas = page.locator('fieldset[data-for-channel~="overseas"]');
  assert.equal(await exhibition.isVisible(), false, 'no exhibition step for the default channel');
  await page.selectOption('#channel', 'exhibition');
  assert.equal(await exhibition.isVisible(), true, 'choosing 展会 shows the exhibition step');
  assert.equal(await overseas.isVisible(), false);
  await page.selectOption('#channel', 'e_commerce');
  assert.equal(await exhibition.isVisible(), false, 'an e-commerce complaint has no exhibition step');
  await page.selectOption('#channel', 'exhibition');

  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  const title = `浏览器测试展会投诉 ${Date.now()}`;
  const typed = {
    '#right0_number': 'ZL202310123456.5', // wrong check digit: .6 is right
    '#right0_title': '一种锂电池隔膜及其制备方法',
    '#right0_holder': '南通华信精密机械有限公司',
    '#resp0_name': '苏州某新能源有限公司',
    '#resp0_address': '苏州市工业园区星湖街 1 号',
    '#resp1_name': '南通某贸易有限公司',
    '#resp1_address': '南通市崇川区工农路 2 号',
    '#title': title,
    '#description': '展会期间 B 馆 8 号展位展出的锂电池隔膜与我司发明专利权利要求 1 相同。\n现场照片已留存。',
    '#ex_name': '2026中国（南通）国际工业博览会（浏览器测试）',
    '#ex_venue': '南通国际会展中心',
    '#ex_booth': 'B8',
    '#ex_opens_at': `${day(7)}T09:00`,
    '#ex_closes_at': `${day(10)}T16:00`,
  };
  const chosen = { '#complainant_standing': 'patentee', '#right0_kind': 'invention_patent', '#channel': 'exhibition' };
  await page.selectOption('#complainant_standing', 'patentee');
  await page.selectOption('#right0_kind', 'invention_patent');
  // The second respondent's rows are folded away until asked for.
  await page.click('details:has(#resp1_name) > summary');
  for (const [sel, value] of Object.entries(typed)) await page.fill(sel, value);
  const region = await page.inputValue('#region_code');
  assert.match(region, /^\d{6}$/, 'the region is filled in from the enterprise');

  await submit(page, 'button[name=intent][value=submit]');
  assert.equal(new URL(page.url()).pathname, '/complaints/new');
  assert.deepEqual(documents, ['422 /complaints/new'], 'the form comes back as 422');
  // The message follows the number field, with at most its hint in between.
  const numberError = await page.$eval('#right0_number', (input) => {
    let next = input.nextElementSibling;
    while (next?.classList.contains('hint')) next = next.nextElementSibling;
    return {
      invalid: input.getAttribute('aria-invalid'),
      text: next?.classList.contains('field-error') ? next.textContent : '(no message under the field)',
    };
  });
  assert.match(numberError.text, /校验位/, 'the error under the number names the check digit');
  assert.equal(numberError.invalid, 'true');
  assert.equal(await page.locator('.field-error').count(), 1, 'only the number is wrong');
  for (const [sel, value] of Object.entries(typed)) assert.equal(await page.inputValue(sel), value, `${sel} kept`);
  for (const [sel, value] of Object.entries(chosen)) assert.equal(await page.inputValue(sel), value, `${sel} kept`);
  assert.equal(await page.inputValue('#region_code'), region);
  assert.equal(await exhibition.isVisible(), true, 'the exhibition step is still shown');
  await assertCsrf(page);
  await assertFits(page);

  // Save a draft on the way (the browser does not validate for a draft), then finish from it.
  await submit(page, 'button[name=intent][value=draft]');
  assert.match(page.url(), /\/complaints\/new\?draft=\d+$/);
  assert.match(await page.textContent('.flash'), /草稿已保存/);
  assert.equal(await page.inputValue('#title'), title, 'the draft keeps what was typed');
  assert.equal(await page.inputValue('#ex_booth'), 'B8');
  assert.equal(await exhibition.isVisible(), true);
  await assertCsrf(page);

  await page.fill('#right0_number', 'ZL202310123456.6');
  await submit(page, 'button[name=intent][value=submit]');
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+\/receipt$/);
  const receipt = await page.textContent('main');
  const number = receipt.match(/WQ-\d{4}-\d{6}/)?.[0];
  assert.ok(number, 'the receipt shows a case number');
  assert.match(receipt, /分诊答复期限/);
  assert.match(receipt, /\d{4}-\d{2}-\d{2}/);
  const casePath = new URL(page.url()).pathname.replace(/\/receipt$/, '');
  await assertCsrf(page);
  await assertFits(page);
  await page.goto(`${base}/cases`);
  assert.equal(await page.locator('a[href^="/complaints/new?draft="]', { hasText: title }).count(), 0, 'the draft is gone once filed');
  assert.match(await page.textContent('main'), new RegExp(number));
  await assertCsrf(page);
  await assertFits(page);

  // The triager finds it on the workbench and routes it to an administrative ruling.
  const triager = await open(desktop);
  await signIn(triager, 'demo-triager');
  await triager.goto(`${base}/triage`);
  await assertCsrf(triager);
  await submit(triager, `a:has-text("${number}")`);
  assert.equal(new URL(triager.url()).pathname, casePath);
  await assertCsrf(triager);
  assert.match(await triager.textContent('main'), /待分诊/);
  // A patent request: the triage card shows how much of the docketing window is left.
  assert.match(await triager.textContent('#docket-window'), /立案期限自收到请求之日起算/);
  const route = triager.locator('form:has(input[name=action][value=route])');
  await route.locator('select[name=queue]').selectOption({ label: '专利侵权纠纷行政裁决' });
  await submit(triager, 'form:has(input[name=action][value=route]) button[type=submit]');
  assert.match(await triager.textContent('.flash'), /已分流/);
  await assertCsrf(triager);

  // The enterprise sees the new queue on its case page.
  await page.goto(`${base}${casePath}`);
  assert.match(await page.textContent('.case-head'), /专利侵权纠纷行政裁决/);
  assert.match(await page.textContent('main'), new RegExp(number));
  await assertCsrf(page);
  await assertFits(page);

  // The officer dockets it with a panel of three, serves the respondent, records the answer,
  // reviews it in writing, records the panel's vote and decides; each step is a form on the
  // case page.
  const officer = await open(desktop);
  await signIn(officer, 'demo-officer');
  await officer.goto(`${base}${casePath}`);
  await assertCsrf(officer);
  const step = async (action, fill = async () => {}) => {
    // The step most likely taken next is open already; the others are opened.
    const details = officer.locator(`details:has(form[data-action=${action}])`);
    if ((await details.getAttribute('open')) === null) {
      await officer.click(`details:has(form[data-action=${action}]) > summary`);
    }
    const form = officer.locator(`form[data-action=${action}]`);
    await fill(form);
    await submit(officer, `form[data-action=${action}] button[type=submit]`);
    assert.match(await officer.textContent('.flash'), /已办理/, `${action} recorded`);
  };
  await step('docket', async (f) => {
    const boxes = f.locator('input[name=panel_user_ids]');
    for (let i = 0; i < 3; i += 1) await boxes.nth(i).check();
    await f.locator('input[name=asserted_claims]').fill('权利要求1-3');
  });
  assert.match(await officer.textContent('.case-head'), /已立案/);
  // Both respondents are parties of the one case (Order 81 Art. 23).
  for (const name of ['苏州某新能源有限公司', '南通某贸易有限公司']) {
    assert.match(await officer.textContent('main'), new RegExp(name));
  }
  await step('serve_respondent', (f) => f.locator('select[name=method]').selectOption('post'));
  await step('record_receipt');
  await step('receive_answer', (f) => f.locator('textarea[name=summary]').fill('被请求人称其产品系自行研发'));
  await step('written_review', (f) => f.locator('textarea[name=reason]').fill('事实清楚，书面审理'));
  await step('record_deliberation', async (f) => {
    await f.locator('input[name=votes_for]').fill('3');
    await f.locator('input[name=votes_against]').fill('0');
    await f.locator('textarea[name=opinion]').fill('侵权成立');
  });
  await step('decide', async (f) => {
    await f.locator('select[name=outcome]').selectOption('infringement');
    await f.locator('textarea[name=findings]').fill('被控产品落入权利要求1的保护范围');
    await f.locator('textarea[name=order]').fill('停止许诺销售、销售被控侵权产品');
    await f.locator('input[name=confirm]').check();
  });
  assert.match(await officer.textContent('.case-head'), /已裁决/);
  await assertCsrf(officer);
  await step('publish', (f) => f.locator('input[name=where]').fill('南通市知识产权局门户网站'));
  assert.match(await officer.textContent('.case-head'), /已公开/);

  // The enterprise sees the outcome.
  await page.goto(`${base}${casePath}`);
  assert.match(await page.textContent('.case-head'), /已公开/);
  assert.match(await page.textContent('main'), /作出行政裁决/);
  await assertFits(page);
  assert.deepEqual(documents, ['422 /complaints/new'], 'no other page failed');
}, phone);

await check('an officer searches from the navigation: Chinese words are marked, facets narrow the hits', async (page) => {
  await signIn(page, 'demo-officer');
  await page.click('nav a[href="/search"]');
  await page.fill('#search-q', '锂电池');
  await Promise.all([page.waitForNavigation(), page.click('form.search-form button[type=submit]')]);
  assert.equal(await page.inputValue('#search-q'), '锂电池', 'the box keeps the query');
  const marks = await page.locator('li.hit mark').allTextContents();
  assert.ok(marks.length > 0 && marks.every((m) => m === '锂电池'), `marked: ${marks}`);
  const hits = await page.locator('li.hit').count();
  const facet = page.locator('.search-facets a').first();
  await Promise.all([page.waitForNavigation(), facet.click()]);
  assert.match(await page.textContent('.search-filters'), /已筛选/);
  assert.ok((await page.locator('li.hit').count()) <= hits, 'a facet narrows the hits');
  // The same patent in another notation finds a case too.
  await page.goto(`${base}/search?q=2023101234566`);
  assert.ok((await page.locator('li.hit').count()) > 0, 'patent number without ZL and dot');
});

await check('an enterprise searches its own filings on a phone', async (page) => {
  await signIn(page, 'demo-enterprise');
  await page.goto(`${base}/search?q=${encodeURIComponent('，，')}`);
  assert.match(await page.textContent('main'), /只有标点/);
  await page.fill('#search-q', '专利');
  await Promise.all([page.waitForNavigation(), page.click('form.search-form button[type=submit]')]);
  await assertFits(page);
}, phone);

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
