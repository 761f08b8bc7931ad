// When the network or the service fails, the widget says so plainly and the reader can retry
// without choosing again or retyping.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BASE_URL,
  expectAttribute,
  expectText,
  freshArticle,
  launchBrowser,
  newReader,
  publisherPage,
  skip,
  widget,
} from './helpers.mjs';

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

/** A reader on a page of the service's origin with one widget for a new article. */
async function readerOnArticle(name) {
  const article = freshArticle(name);
  const reader = await newReader(browser);
  const url = `${BASE_URL}/e2e/${article}.html`;
  await publisherPage(
    reader.context,
    url,
    `<h1>${name}</h1><div data-plaudit-article="${article}"></div><script src="/widget.js" async></script>`,
  );
  await reader.page.goto(url);
  const w = widget(reader.page, article);
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');
  return { ...reader, w };
}

const tooManyRequests = (route) =>
  route.fulfill({
    status: 429,
    headers: { 'Retry-After': '1', 'Access-Control-Expose-Headers': 'Retry-After' },
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: 'urn:plaudit:problem:rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'too many requests; retry in 1 second',
    }),
  });

test('a rate-limited vote says so and is sent again with Try again', { skip }, async () => {
  const { context, page, w } = await readerOnArticle('busy');
  await page.route('**/v1/articles/*/votes', tooManyRequests);

  await w.star(3).click();
  await expectText(w.message, /^Your vote was not saved\. Too many requests right now/);
  await expectAttribute(w.star(3), 'aria-checked', 'true'); // the choice is kept
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');
  assert.equal(await w.retry.isVisible(), true);
  // Try again waits out the server's Retry-After (1 second here).
  assert.equal(await w.retry.getAttribute('aria-disabled'), 'true');
  await expectAttribute(w.retry, 'aria-disabled', 'false');

  await page.unroute('**/v1/articles/*/votes');
  await w.retry.click();
  await expectText(w.summary, 'Average rating 3.0 / 5. Vote count: 1');
  await expectText(w.message, 'Thank you for rating this article!');
  assert.equal(await w.retry.isVisible(), false);
  await context.close();
});

test('a vote without a connection says so and is sent again with Try again', { skip }, async () => {
  const { context, page, w } = await readerOnArticle('offline');
  await context.setOffline(true);

  await w.star(5).click();
  await expectText(w.message, /^Your vote was not saved\. The rating service cannot be reached/);
  await expectAttribute(w.star(5), 'aria-checked', 'true');

  await context.setOffline(false);
  await w.retry.click();
  await expectText(w.summary, 'Average rating 5.0 / 5. Vote count: 1');
  await expectAttribute(w.star(5), 'aria-checked', 'true');
  await context.close();
});

test('feedback that could not be sent stays in the box for another try', { skip }, async () => {
  const { context, page, w } = await readerOnArticle('feedback-offline');
  await w.star(1).click();
  await expectText(w.summary, 'Average rating 1.0 / 5. Vote count: 1');
  const text = 'Please say which bus lines stop at the quay.';
  await w.feedbackBox.fill(text);

  await page.route('**/v1/articles/*/feedback', (route) => route.abort('internetdisconnected'));
  await w.sendFeedback.click();
  await expectText(w.message, /^Your feedback was not sent\. The rating service cannot be reached/);
  assert.equal(await w.feedbackBox.inputValue(), text);

  await page.unroute('**/v1/articles/*/feedback');
  await w.sendFeedback.click();
  await expectText(w.message, 'Thank you for your feedback!');
  await context.close();
});

test('ratings that could not be loaded say so and load with Try again', { skip }, async () => {
  const article = freshArticle('load');
  const { context, page } = await newReader(browser);
  const url = `${BASE_URL}/e2e/${article}.html`;
  await publisherPage(
    context,
    url,
    `<div data-plaudit-article="${article}"></div><script src="/widget.js" async></script>`,
  );
  await page.route('**/v1/ratings?*', (route) => route.abort('internetdisconnected'));
  await page.goto(url);
  const w = widget(page, article);
  await expectText(w.message, /^The rating could not be loaded\. The rating service cannot be reached/);

  await page.unroute('**/v1/ratings?*');
  await w.retry.click();
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');
  await expectText(w.message, '');
  await context.close();
});
