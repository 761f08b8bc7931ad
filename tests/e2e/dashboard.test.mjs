// The editors' dashboard at /dashboard, as an editor uses it in a browser: signing in with a
// read key and an admin key, each page showing the figures the API gives for the same data,
// the ranking sorted, filtered and paged, feedback triaged (and still so after a reload),
// admin actions refused to a read key, signing out (after which the cookie no longer works),
// cross-origin writes refused, and axe-core finding no serious or critical violation.
// Screenshots of every page go to target/dashboard-*.png.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  BASE_URL, EDITOR_KEY, eventually, expectText, launchBrowser, screenshotPath, skip, watchProblems,
} from './helpers.mjs';

const ADMIN_KEY = process.env.PLAUDIT_E2E_ADMIN_KEY;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SECTION = `e2e-dash-${randomUUID().slice(0, 8)}`;
const ARTICLES = 30;
/** Votes article i gets: 1 to 9, five on the first. */
const votesOn = (i) => ((i + 4) % 9) + 1;
const articleId = (i) => `${SECTION}-${String(i).padStart(2, '0')}`;
const HOSTILE_TEXT = '<img src=x id=injected onerror="window.injected=1"> is this markup?';

async function call(method, path, { key, body, headers = {} } = {}) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** What the API gives a read key, for comparing with what the page shows. */
async function read(path) {
  const { status, body } = await call('GET', path, { key: EDITOR_KEY });
  assert.equal(status, 200, `GET ${path}`);
  return body;
}

/** 30 articles in a section of their own, 1 to 9 votes each (`votesOn`), two revisions of the first, and
 *  feedback (one entry that looks like markup). */
async function seed() {
  for (let i = 0; i < ARTICLES; i += 1) {
    const id = articleId(i);
    const put = await call('PUT', `/v1/articles/${id}`, {
      key: ADMIN_KEY,
      body: { title: `Dashboard article ${i}`, url: `https://news.example/${id}`, section: SECTION, authors: ['E. Editor'] },
    });
    assert.equal(put.status, 200, `PUT metadata of ${id}`);
    const votes = votesOn(i);
    for (let v = 0; v < votes; v += 1) {
      const voter = randomUUID();
      const stars = ((i + v) % 5) + 1;
      const revision = i === 0 ? (v < 3 ? 'r1' : 'r2') : undefined;
      const vote = await call('POST', `/v1/articles/${id}/votes`, { body: { voter, stars, revision } });
      assert.ok(vote.status < 300, `vote on ${id}: ${vote.status}`);
      if (i < 3 && v < 2) {
        const text = i === 0 && v === 0 ? HOSTILE_TEXT : `Feedback ${i}.${v}: the second paragraph is unclear.`;
        const sent = await call('POST', `/v1/articles/${id}/feedback`, { body: { voter, text } });
        assert.equal(sent.status, 201, `feedback on ${id}`);
      }
    }
  }
}

/** A window starting at UTC midnight N-1 days ago, as the dashboard asks for "last N days". */
function windowFrom(days) {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - (days - 1) * 86_400_000).toISOString();
}

let browser;
before(async () => {
  if (skip) return;
  assert.ok(EDITOR_KEY, 'PLAUDIT_E2E_EDITOR_KEY is not set: run tests/e2e/run.sh');
  assert.ok(ADMIN_KEY, 'PLAUDIT_E2E_ADMIN_KEY is not set: run tests/e2e/run.sh');
  browser = await launchBrowser();
  await seed();
});
after(async () => browser?.close());

/** A signed-in editor's page; `problems` collects CSP violations and script errors. */
async function signIn(key, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${BASE_URL}/dashboard`);
  await page.getByLabel('Editor key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return { context, page, problems };
}

/** Only what matters: the 401 of the first visit's "who am I?" is expected. */
function seriousProblems(problems) {
  return problems.filter((p) => !/status of 40[13]/.test(p));
}

async function axe(page, what) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe on ${what}`,
  );
}

async function shot(page, name) {
  await page.waitForTimeout(150); // charts draw on the next animation frame
  await page.screenshot({ path: screenshotPath(`dashboard-${name}.png`), fullPage: true });
}

const cellTexts = (page, selector) => page.locator(selector).allTextContents();

test('sign-in page: the key is exchanged for an HttpOnly, SameSite=Strict session cookie', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/dashboard`);
  await page.getByLabel('Editor key').waitFor();
  await axe(page, 'the sign-in page');
  await shot(page, 'sign-in');
  await page.getByLabel('Editor key').fill('plaudit_000000000000_' + '0'.repeat(64));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByRole('alert'), /not valid/);
  await page.getByLabel('Editor key').fill(EDITOR_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  const [cookie] = await context.cookies();
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
  await context.close();
});

test('overview shows the totals, series, sections and rankings the API gives', { skip }, async () => {
  const { context, page, problems } = await signIn(EDITOR_KEY);
  const from = windowFrom(30);
  const summary = await read(`/v1/reports/summary?from=${from}&min_votes=10`);
  const daily = await read(`/v1/reports/daily?from=${from}`);
  const fact = (key) => page.locator(`#totals [data-fact="${key}"] dd`);
  await expectText(fact('votes'), summary.figures.count.toLocaleString('en'));
  await expectText(fact('articles'), summary.articles.toLocaleString('en'));
  await expectText(fact('average'), summary.figures.average.toFixed(2));
  await expectText(fact('useful_share'), `${(summary.figures.useful_share * 100).toFixed(1)}%`);
  const dayRows = await cellTexts(page, '#daily tbody th');
  assert.deepEqual(dayRows, daily.days.map((d) => d.date), 'the daily table is the API series');
  const sections = await cellTexts(page, '#sections tbody th');
  assert.ok(sections.includes(SECTION), `the sections table lists ${SECTION}`);
  assert.equal(await page.locator('.chart canvas').count() >= 2, true, 'two charts drawn');
  await axe(page, 'the overview');
  await shot(page, 'overview');
  const phone = await signIn(EDITOR_KEY, { width: 390, height: 844 });
  await shot(phone.page, 'overview-phone');
  await phone.context.close();
  assert.deepEqual(seriousProblems(problems), []);
  await context.close();
});

test('articles: sorted, filtered and paged by the service, CSV of the page shown', { skip }, async () => {
  const { context, page, problems } = await signIn(EDITOR_KEY);
  await page.goto(`${BASE_URL}/dashboard#/articles?days=all&section=${SECTION}&min_votes=1`);
  const api = await read(`/v1/reports/articles?section=${SECTION}&min_votes=1&limit=25`);
  const ids = () => page.locator('#ranking tbody th a').evaluateAll((links) => links.map((a) => a.getAttribute('href').split('/').pop()));
  await eventually('page 1 is the API\'s', ids, (seen) => JSON.stringify(seen) === JSON.stringify(api.articles.map((a) => a.article_id)));
  await axe(page, 'the articles page');
  await shot(page, 'articles');

  await page.getByRole('button', { name: 'Votes', exact: true }).click();
  const byCount = await read(`/v1/reports/articles?section=${SECTION}&min_votes=1&limit=25&sort=count&order=desc`);
  await eventually('sorted by votes', ids, (seen) => JSON.stringify(seen) === JSON.stringify(byCount.articles.map((a) => a.article_id)));
  assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), 'Votes ▼');

  await page.getByRole('button', { name: 'Next →' }).click();
  const page2 = await read(`/v1/reports/articles?section=${SECTION}&min_votes=1&limit=25&sort=count&order=desc&cursor=${byCount.next_cursor}`);
  assert.equal(page2.articles.length, ARTICLES - 25);
  await eventually('page 2 is the API\'s', ids, (seen) => JSON.stringify(seen) === JSON.stringify(page2.articles.map((a) => a.article_id)));
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV of this page' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 1 + page2.articles.length, 'the CSV holds the rows shown');
  assert.ok(csv[0].startsWith('article_id,title,section,count'));
  await page.getByRole('button', { name: '← Previous' }).click();
  await eventually('back on page 1', ids, (seen) => seen.length === 25);

  await page.getByLabel('Minimum votes').fill('9');
  await page.getByRole('button', { name: 'Apply' }).click();
  const filtered = await read(`/v1/reports/articles?section=${SECTION}&min_votes=9&limit=25&sort=count&order=desc`);
  await eventually('filtered by minimum votes', ids, (seen) => JSON.stringify(seen) === JSON.stringify(filtered.articles.map((a) => a.article_id)));
  assert.ok(filtered.articles.length > 0 && filtered.articles.length < 25);
  assert.deepEqual(seriousProblems(problems), []);
  await context.close();
});

test('one article: metadata, figures, revisions side by side, feedback shown as text', { skip }, async () => {
  const { context, page, problems } = await signIn(EDITOR_KEY);
  const id = articleId(0);
  await page.goto(`${BASE_URL}/dashboard#/article/${id}`);
  const report = await read(`/v1/reports/articles/${id}`);
  await page.getByRole('heading', { name: 'Dashboard article 0', level: 1 }).waitFor();
  await expectText(page.locator('#figures [data-fact="count"] dd'), String(report.figures.count));
  await expectText(page.locator('#figures [data-fact="average"] dd'), report.figures.average.toFixed(2));
  assert.equal(await page.locator('#metadata a').getAttribute('href'), `https://news.example/${id}`);
  const revisionHeads = await cellTexts(page, '#revisions thead th');
  assert.deepEqual(revisionHeads, ['Figure', ...report.revisions.map((r) => r.revision)]);
  assert.deepEqual(revisionHeads.slice(1), ['r1', 'r2']);
  await expectText(page.locator('.feedback-item .text').filter({ hasText: 'markup' }), HOSTILE_TEXT);
  assert.equal(await page.locator('#injected').count(), 0, 'feedback is text, not markup');
  assert.equal(await page.evaluate(() => window.injected), undefined);
  assert.equal(await page.locator('#reset-article').count(), 0, 'no reset for a read key');
  await axe(page, 'the article page');
  await shot(page, 'article');
  assert.deepEqual(seriousProblems(problems), []);
  await context.close();
});

test('feedback: triage persists across a reload; admin actions are refused to a read key', { skip }, async () => {
  const { context, page, problems } = await signIn(EDITOR_KEY);
  await page.goto(`${BASE_URL}/dashboard#/feedback?section=${SECTION}`);
  const listed = await read(`/v1/reports/feedback?section=${SECTION}`);
  const items = page.locator('#feedback-list .feedback-item');
  await eventually('every entry shown', () => items.count(), (n) => n === listed.feedback.length);
  const target = listed.feedback[0];
  await page.locator(`[data-feedback-status="${target.id}"]`).selectOption('resolved');
  await expectText(page.getByRole('status').last(), `Feedback ${target.id} marked resolved.`);
  await page.reload();
  await page.getByRole('heading', { name: 'Feedback', level: 1 }).waitFor();
  assert.equal(await page.locator(`[data-feedback-status="${target.id}"]`).inputValue(), 'resolved');
  const after = await read(`/v1/reports/feedback?section=${SECTION}&status=resolved`);
  assert.deepEqual(after.feedback.map((f) => f.id), [target.id]);

  await page.getByLabel('Status', { exact: true }).first().selectOption('resolved');
  await page.getByRole('button', { name: 'Apply' }).click();
  await eventually('filtered by status', () => items.count(), (n) => n === 1);
  assert.equal(await page.locator('[data-delete-feedback]').count(), 0, 'no delete button for a read key');
  const refused = await page.evaluate(async (id) => (await fetch(`/v1/feedback/${id}`, { method: 'DELETE' })).status, target.id);
  assert.equal(refused, 403, 'the service refuses a read key\'s delete');
  const reset = await page.evaluate(async (id) => (await fetch(`/v1/articles/${id}/votes`, { method: 'DELETE' })).status, articleId(1));
  assert.equal(reset, 403, 'and its reset');
  await axe(page, 'the feedback inbox');
  await shot(page, 'feedback');
  assert.deepEqual(seriousProblems(problems), []);
  await context.close();
});

test('admin: audit log, delete feedback, reset an article after a confirmation', { skip }, async () => {
  const { context, page, problems } = await signIn(ADMIN_KEY);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  const audit = await read('/v1/reports/audit?limit=50');
  const firstAction = await page.locator('#audit-log tbody tr').first().locator('td').nth(2).textContent();
  assert.equal(firstAction, audit.entries[0].action);
  assert.ok(audit.entries.some((e) => e.action === 'feedback_status'), 'triage is audited');
  await axe(page, 'the audit log');
  await shot(page, 'audit');

  const id = articleId(2);
  await page.goto(`${BASE_URL}/dashboard#/article/${id}`);
  await page.getByRole('heading', { name: 'Dashboard article 2' }).waitFor();
  const entry = page.locator('[data-delete-feedback]').first();
  const feedbackId = await entry.getAttribute('data-delete-feedback');
  page.once('dialog', (dialog) => dialog.accept());
  await entry.click();
  await eventually('entry removed', () => page.locator(`[data-feedback-id="${feedbackId}"]`).count(), (n) => n === 0);

  let question = '';
  page.once('dialog', (dialog) => {
    question = dialog.message();
    dialog.accept();
  });
  await page.getByRole('button', { name: 'Reset this article…' }).click();
  await expectText(page.locator('#figures [data-fact="count"] dd'), '0');
  assert.match(question, new RegExp(`deletes all ${votesOn(2)} votes and all feedback`));
  const log = await read('/v1/reports/audit?limit=2');
  assert.deepEqual(log.entries.map((e) => e.action), ['reset', 'feedback_delete']);
  await shot(page, 'article-admin');
  assert.deepEqual(seriousProblems(problems), []);
  await context.close();
});

test('sign-out ends the session: the old cookie no longer works', { skip }, async () => {
  const { context, page } = await signIn(EDITOR_KEY);
  const [cookie] = await context.cookies();
  const withCookie = { Cookie: `${cookie.name}=${cookie.value}` };
  assert.equal((await call('GET', '/v1/session', { headers: withCookie })).status, 200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Editor key').waitFor();
  assert.equal((await call('GET', '/v1/session', { headers: withCookie })).status, 401);
  assert.equal((await call('GET', '/v1/reports/summary', { headers: withCookie })).status, 401);
  assert.deepEqual(await context.cookies(), [], 'the browser dropped it too');
  await context.close();
});

test('cross-origin writes are refused even with a valid session cookie', { skip }, async () => {
  const { context } = await signIn(EDITOR_KEY);
  const [cookie] = await context.cookies();
  const evil = { Cookie: `${cookie.name}=${cookie.value}`, Origin: 'http://127.0.0.1:1' };
  const listed = await read(`/v1/reports/feedback?section=${SECTION}&limit=1`);
  const patch = await call('PATCH', `/v1/feedback/${listed.feedback[0].id}`, { headers: evil, body: { status: 'spam' } });
  assert.equal(patch.status, 403, 'PATCH from another origin (same site, other port)');
  const signInElsewhere = await call('POST', '/v1/session', { headers: { Origin: 'https://evil.example' }, body: { key: EDITOR_KEY } });
  assert.equal(signInElsewhere.status, 403, 'POST /v1/session from another site');
  const signOut = await call('DELETE', '/v1/session', { headers: evil });
  assert.equal(signOut.status, 403);
  assert.equal((await call('GET', '/v1/session', { headers: { Cookie: evil.Cookie } })).status, 200, 'still signed in');
  await context.close();
});
