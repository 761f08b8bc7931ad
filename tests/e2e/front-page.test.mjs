// The demo front page: three widgets, one request for their ratings, and voting by keyboard.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BASE_URL,
  countRequests,
  eventually,
  expectAttribute,
  expectText,
  focusedStar,
  launchBrowser,
  newReader,
  skip,
  widget,
} from './helpers.mjs';

// The ids in static/front.html.
const TEASERS = ['demo-article', 'demo-library', 'demo-night-train'];
const FIGURES = /^(No votes so far! Be the first to rate this article\.|Average rating \d\.\d \/ 5\. Vote count: \d+)$/;

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

test('three widgets on a page load their ratings with one request', { skip }, async () => {
  const { context, page } = await newReader(browser);
  const ratingRequests = countRequests(page, (url) => url.pathname === '/v1/ratings');
  const ownVoteRequests = countRequests(page, (url) => url.pathname.includes('/votes'));
  await page.goto(`${BASE_URL}/demo/front`);
  for (const article of TEASERS) await expectText(widget(page, article).summary, FIGURES);
  await page.waitForLoadState('networkidle');

  assert.equal(ratingRequests.length, 1, ratingRequests.map((r) => r.url()).join('\n'));
  const asked = new URL(ratingRequests[0].url()).searchParams.getAll('article_id');
  assert.deepEqual(asked, TEASERS);
  // A reader who never voted costs no request per widget.
  assert.equal(ownVoteRequests.length, 0, ownVoteRequests.map((r) => r.url()).join('\n'));
  await context.close();
});

test('a reader votes with the keyboard alone', { skip }, async () => {
  const { context, page } = await newReader(browser);
  const votes = countRequests(page, (url, request) => request.method() === 'POST');
  await page.goto(`${BASE_URL}/demo/front`);
  const w = widget(page, 'demo-library');
  await expectText(w.summary, FIGURES);

  // Tab through the page: each star group is one tab stop, entered at its first star.
  const stops = [];
  for (let presses = 0; presses < 20; presses++) {
    await page.keyboard.press('Tab');
    const focused = await focusedStar(page);
    if (focused.role === 'radio') stops.push(focused);
    if (focused.article === 'demo-library') break;
  }
  assert.deepEqual(stops, [
    { article: 'demo-article', role: 'radio', label: '1 star' },
    { article: 'demo-library', role: 'radio', label: '1 star' },
  ]);
  const outline = await w.star(1).evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.equal(outline, 'solid', 'the focused star shows a focus ring');

  // Arrows move between stars without voting.
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft']) {
    await page.keyboard.press(key);
  }
  assert.equal((await focusedStar(page)).label, '3 stars');
  assert.equal(votes.length, 0, 'moving between stars must not vote');
  for (let n = 1; n <= 5; n++) await expectAttribute(w.star(n), 'aria-checked', 'false');

  await page.keyboard.press('Space');
  await expectText(w.summary, /^Average rating 3\.0 \/ 5\. Vote count: 1$/);
  await expectAttribute(w.star(3), 'aria-checked', 'true');
  // The live region tells screen reader users the outcome, with the new figures.
  await expectText(w.status, /Thank you for rating this article!.*Vote count: 1/);
  assert.equal(votes.length, 1);

  // Leaving and coming back lands on the chosen star; End and Enter change the vote.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focusedStar(page), { article: 'demo-library', role: 'radio', label: '3 stars' });
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await expectText(w.summary, 'Average rating 5.0 / 5. Vote count: 1');
  await expectAttribute(w.star(5), 'aria-checked', 'true');
  await eventually('two votes sent', () => votes.length, (n) => n === 2);
  await context.close();
});
