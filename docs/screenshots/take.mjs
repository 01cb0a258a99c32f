// Takes the README screenshots from a running demo server with Debian's Chromium.
// Usage: npm install playwright-core && node docs/screenshots/take.mjs http://127.0.0.1:8080 docs/screenshots
// Run it against a fresh `weiquan serve --demo`: the case shots use the demo cases.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const out = process.argv[3] ?? 'docs/screenshots';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const phone = { width: 390, height: 844 };

async function signedIn(user, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', 'demo12345');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { context, page };
}

async function shoot(user, pages, viewport = { width: 1280, height: 800 }) {
  if (!user) {
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.screenshot({ path: `${out}/${pages[0]}.png`, fullPage: true });
    await context.close();
    return;
  }
  const { context, page } = await signedIn(user, viewport);
  for (const [path, name] of pages) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  }
  await context.close();
}

// The case page link of the lowest-numbered row of a case list whose text matches `pattern`.
async function firstCase(page, pattern) {
  const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => {
    const a = tr.querySelector('a[href^="/cases/"]');
    return a ? { text: tr.textContent, href: a.getAttribute('href'), number: a.textContent.trim() } : null;
  }).filter(Boolean));
  const hits = rows.filter((r) => pattern.test(r.text)).sort((a, b) => a.number.localeCompare(b.number));
  if (hits.length === 0) throw new Error(`no case matching ${pattern} on ${page.url()}`);
  return hits[0].href;
}

await shoot(null, ['login']);
{
  const context = await browser.newContext({ viewport: phone, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  await page.screenshot({ path: `${out}/register-phone.png`, fullPage: true });
  await context.close();
}
await shoot('demo-admin', [['/', 'dashboard-admin'], ['/admin/orgs', 'orgs'], ['/admin/users', 'users'], ['/admin/audit', 'audit'], ['/admin/calendar?year=2026', 'calendar']]);
await shoot('demo-officer', [['/', 'dashboard-officer'], ['/cases', 'cases']]);
await shoot('demo-enterprise', [['/', 'dashboard-enterprise-phone']], phone);

// The complaint wizard on a phone, part filled in for an exhibition (the exhibition step shows).
{
  const { context, page } = await signedIn('demo-enterprise', phone);
  await page.goto(`${base}/complaints/new`);
  await page.selectOption('#complainant_standing', 'patentee');
  await page.selectOption('#right0_kind', 'invention_patent');
  await page.fill('#right0_number', 'ZL202310123456.6');
  await page.fill('#right0_title', '一种锂电池隔膜及其制备方法');
  await page.fill('#resp0_name', '苏州某新能源有限公司');
  await page.selectOption('#channel', 'exhibition');
  await page.fill('#description', '展会期间B馆8号展位展出的锂电池隔膜与我司发明专利权利要求1相同。');
  await page.fill('#ex_name', '2026中国（南通）国际工业博览会');
  await page.fill('#ex_venue', '南通国际会展中心');
  await page.fill('#ex_booth', 'B8');
  // The whole form; scrolled to the end so that the sticky buttons sit below the last step.
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, document.body.scrollHeight); });
  await page.screenshot({ path: `${out}/case-complaint-phone.png`, fullPage: true });
  // The receipt of the demo's first complaint (filed by this enterprise).
  await page.goto(`${base}/cases`);
  const href = await firstCase(page, /ZL202310123456\.6/);
  await page.goto(`${base}${href}/receipt`);
  await page.screenshot({ path: `${out}/case-receipt.png`, fullPage: true });
  await context.close();
}

// The triage workbench, and the first of the two complaints about the same listing with its
// duplicate suggestion.
{
  const { context, page } = await signedIn('demo-triager');
  await page.goto(`${base}/triage`);
  await page.screenshot({ path: `${out}/triage.png`, fullPage: true });
  const href = await firstCase(page, /ZL202310123456\.6/);
  await page.goto(`${base}${href}`);
  await page.screenshot({ path: `${out}/case-page.png`, fullPage: true });
  await context.close();
}
// The supervisor's deadlines and notices (the scheduler's first pass runs when the server starts),
// the approvals inbox with the demo's extension request, and the dashboard's numbers.
await shoot('demo-supervisor', [['/deadlines', 'deadlines'], ['/notifications', 'notifications'], ['/approvals', 'approvals'], ['/', 'dashboard-supervisor']]);
// Issue 17: the statistics with a breakdown by queue, and the 考核 sheet.
await shoot('demo-supervisor', [['/reports?group_by=queue', 'reports'], ['/reports/assessment', 'assessment']]);
// The filer's view of a case in its answer period on a phone: the office's request for material
// on the 沟通 card.
{
  const { context, page } = await signedIn('demo-enterprise', phone);
  await page.goto(`${base}/cases`);
  const href = await firstCase(page, /ZL202210987654/);
  await page.goto(`${base}${href}#messages`);
  await page.screenshot({ path: `${out}/case-messages-phone.png`, fullPage: true });
  await context.close();
}
// The queue workflows: the ruling board, a ruling case in its answer period with its forms,
// the published ruling's 行政裁决书, the exhibition view and the experts directory.
{
  const { context, page } = await signedIn('demo-officer');
  await page.goto(`${base}/queues/administrative_ruling`);
  await page.screenshot({ path: `${out}/queue-board.png`, fullPage: true });
  const answering = await firstCase(page, /ZL202210987654/);
  await page.goto(`${base}${answering}`);
  // The step most likely taken next opens by itself; open this one if it is not that one.
  if ((await page.getAttribute('details:has(form[data-action=receive_answer])', 'open')) === null) {
    await page.click('details:has(form[data-action=receive_answer]) > summary');
  }
  await page.screenshot({ path: `${out}/case-work.png`, fullPage: true });
  await page.goto(`${base}/queues/administrative_ruling`);
  const published = await firstCase(page, /ZL202110345678/);
  await page.goto(`${base}${published}`);
  const ruling = await page.getAttribute('#documents a[href*="/documents/"]', 'href');
  await page.goto(`${base}${ruling}`);
  await page.screenshot({ path: `${out}/document-ruling.png`, fullPage: true });
  await page.goto(`${base}/exhibitions`);
  await page.click('td.title a');
  await page.waitForLoadState('load');
  await page.screenshot({ path: `${out}/exhibition.png`, fullPage: true });
  await page.goto(`${base}/experts`);
  await page.screenshot({ path: `${out}/experts.png`, fullPage: true });
  // Search: Chinese words, with highlighted snippets and facet counts.
  await page.goto(`${base}/search?q=${encodeURIComponent('锂电池 隔膜')}`);
  await page.screenshot({ path: `${out}/search.png`, fullPage: true });
  await context.close();
}
// Search as the filing enterprise on a phone: its own filings only.
{
  const { context, page } = await signedIn('demo-enterprise', { width: 390, height: 844 });
  await page.goto(`${base}/search?q=${encodeURIComponent('专利')}`);
  await page.screenshot({ path: `${out}/search-enterprise-phone.png`, fullPage: true });
  await context.close();
}
// Mutual-aid funds and campaigns (issue 19): the fund's books, an application with its
// decision, the enterprise's application form on a phone, a campaign's report.
{
  const { context, page } = await signedIn('demo-supervisor');
  await page.goto(`${base}/funds/1`);
  await page.screenshot({ path: `${out}/fund.png`, fullPage: true });
  await page.goto(`${base}/campaigns/1`);
  await page.screenshot({ path: `${out}/campaign.png`, fullPage: true });
  await context.close();
}
{
  const { context, page } = await signedIn('demo-enterprise', { width: 390, height: 844 });
  await page.goto(`${base}/fund-applications/1`);
  await page.click('p a[href^="/cases/"]');
  await page.waitForLoadState('load');
  await page.click('#funds a.button');
  await page.waitForLoadState('load');
  await page.screenshot({ path: `${out}/fund-apply-phone.png`, fullPage: true });
  await context.close();
}
// IP health checks (issue 19): the enterprise's completed check with its report on a phone,
// and a request waiting for the centre, with its accept, complete and decline forms.
{
  const { context, page } = await signedIn('demo-enterprise', phone);
  await page.goto(`${base}/health-checks/1`);
  await page.screenshot({ path: `${out}/health-check-phone.png`, fullPage: true });
  await context.close();
}
await shoot('demo-triager', [['/health-checks/2', 'health-check-centre']]);
// Last, as it adds leads: the import page with the report of a file with one bad row.
{
  const { context, page } = await signedIn('demo-admin');
  await page.goto(`${base}/leads/import`);
  const header = await page.textContent('pre code');
  const csv = [
    header.trim(),
    'hotline_12330,2026-03-02 09:30,e_commerce,320600,,网店销售假冒“启明”商标的耳机，来电人提供了链接。,南通启明电子科技有限公司,,trademark,第12345678号,启明,某某数码商行,,,https://shop.example.com/item/1',
    'officer,2026-03-03 14:00,offline_market,320600,,执法检查发现商场柜台销售涉嫌侵犯外观设计专利的台灯。,,,design_patent,ZL202330123456.7,台灯,南通某灯饰商行,,南通市崇川区某商场 2 楼,',
    'hotline_12330,2026-03-04 10:15,e_commerce,320600,,来电反映网店销售涉嫌侵犯发明专利的隔膜。,,,invention_patent,ZL202310123456.5,锂电池隔膜,某某新能源店,,,https://shop.example.com/item/2',
  ].join('\n');
  await page.setInputFiles('#file', { name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/leads/import"] button[type=submit]')]);
  await page.screenshot({ path: `${out}/import.png`, fullPage: true });
  await context.close();
}
await browser.close();
console.log('screenshots written to', out);
