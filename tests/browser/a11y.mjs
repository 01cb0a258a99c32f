// Accessibility: axe-core over the pages each role works in (issue 16). A serious or critical
// violation fails the check and is printed with its page, rule, impact and element.
// Usage: node tests/browser/a11y.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { axe, assertNoViolations, base, check, finish, firstCase, phone, signIn } from './harness.mjs';

const search = `/search?q=${encodeURIComponent('专利')}`;
const common = ['/', '/cases', search, '/deadlines', '/notifications', '/account'];
// [user, pages, text of a row on /cases whose case page is checked (null: the first row)]
const roles = [
  ['demo-enterprise', [...common, '/complaints/new', '/funds', '/funds/1'], ['行政裁决', null]],
  ['demo-triager', [...common, '/approvals', '/triage'], [null]],
  ['demo-officer', [...common, '/approvals', '/queues'], ['行政裁决', '展会']],
  ['demo-supervisor', [...common, '/approvals', '/queues', '/funds/1', '/fund-applications/1', '/campaigns', '/campaigns/new', '/campaigns/1'], ['已公开']],
  ['demo-admin', ['/', '/admin/orgs', '/admin/users', '/admin/audit', '/notifications', '/account'], []],
];

await check('axe: the sign-in and registration pages have no serious problems', async (page) => {
  const found = [];
  for (const path of ['/login', '/register']) {
    const res = await page.goto(`${base}${path}`);
    assert.equal(res.status(), 200, path);
    found.push(...await axe(page));
  }
  assertNoViolations(found);
  // The check itself works: an image without a text alternative is reported.
  await page.evaluate(() => document.querySelector('main').append(Object.assign(document.createElement('img'), { src: '/static/favicon.svg' })));
  assert.match((await axe(page)).join('\n'), /image-alt \(critical\)/, 'axe reports a planted problem');
});

for (const [user, pages, caseRows] of roles) {
  await check(`axe: ${user}'s pages have no serious problems`, async (page) => {
    await signIn(page, user);
    const paths = [...pages];
    for (const row of caseRows) {
      const href = await firstCase(page, row ?? undefined);
      paths.push(href);
      // The filer keeps a receipt of each complaint.
      if (user === 'demo-enterprise' && row === null) paths.push(`${href}/receipt`);
    }
    const found = [];
    for (const path of paths) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(res.status(), 200, `${user} opens ${path}`);
      found.push(...await axe(page, path));
    }
    assertNoViolations(found);
  });
}

await check('axe: a case page on a phone, menu open, has no serious problems', async (page) => {
  await signIn(page, 'demo-officer');
  const href = await firstCase(page, '行政裁决');
  await page.goto(`${base}${href}`);
  await page.click('header .menu > summary');
  assertNoViolations(await axe(page, `${href} (phone, menu open)`));
}, phone);

await finish();
