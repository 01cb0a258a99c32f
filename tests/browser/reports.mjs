// Statistics as a head of office uses them: open 统计 from the menu, read the charts' accessible
// names, click a figure and land on the very cases it counts, download the Excel workbook, and
// print the 考核 sheet.
// Usage: node tests/browser/reports.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertNoViolations, axe, base, check, finish, signIn } from './harness.mjs';

await check('a supervisor opens the statistics, clicks a figure, lands on its cases and downloads the workbook', async (page) => {
  await signIn(page, 'demo-supervisor');
  await Promise.all([page.waitForNavigation(), page.click('nav a[href="/reports"]')]);
  assert.equal(new URL(page.url()).pathname, '/reports');
  assert.match(await page.textContent('h1'), /统计分析/);

  // The charts are images named by their titles, with their data as a table.
  for (const name of ['每月收到线索', '法定周期内结案率（按月）']) {
    assert.equal(await page.getByRole('img', { name }).count(), 1, `chart ${name}`);
  }
  assert.ok(await page.locator('table.chart-data').count() === 1, 'the charts\' data as a table');
  assertNoViolations(await axe(page, '/reports'));

  // The figure 收到线索 links to the list of the cases it counts.
  const figure = page.locator('.figure[data-figure="received"] dd a');
  const shown = Number((await figure.textContent()).trim());
  assert.ok(shown > 0, 'the demo office received leads this year');
  await Promise.all([page.waitForNavigation(), figure.click()]);
  assert.equal(new URL(page.url()).pathname, '/cases');
  assert.match(await page.textContent('.notice'), /收到于/);
  const rows = await page.locator('table tbody tr').count();
  assert.equal(rows, shown, 'the list holds as many cases as the figure says');

  // Back on the statistics, the Excel download is a workbook.
  await page.goto(`${base}/reports?group_by=queue`);
  assert.equal(await page.locator('section[aria-labelledby="tables-overseas"] table[data-table="ov_by_category"]').count(), 1, 'overseas requests by category, under their section');
  assert.equal(await page.locator('table[data-table="ov_by_category"] tbody tr').count(), 6, 'one row per category');
  assert.ok(await page.locator('table.breakdown:not([data-table]) tbody tr').count() >= 4, 'one row per queue');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a:has-text("导出 Excel")'),
  ]);
  assert.match(download.suggestedFilename(), /^weiquan-statistics-.*\.xlsx$/);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX (zip) package');

  // The 考核 sheet opens from the statistics and has a print button.
  await Promise.all([page.waitForNavigation(), page.click('a[href="/reports/assessment"]')]);
  assert.match(await page.textContent('h1'), /年度知识产权行政保护工作考核表/);
  assert.ok(await page.locator('button[data-print]').isVisible(), 'the print button is shown with scripts on');
  assert.equal(await page.locator('table.assessment tbody tr').count(), 8);
  assertNoViolations(await axe(page, '/reports/assessment'));
});

await finish();
