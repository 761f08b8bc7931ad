// A reader on the demo article: votes, comes back, changes their mind and says why; an editor
// then reads what they wrote. The two tests run in this order and share the demo article.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BASE_URL,
  EDITOR_KEY,
  expectAttribute,
  expectText,
  launchBrowser,
  newReader,
  screenshotPath,
  skip,
  watchProblems,
  widget,
} from './helpers.mjs';

const ARTICLE = 'demo-article'; // the id in static/demo.html
const FEEDBACK = `The map of the ferry stops is missing (e2e ${Date.now()})`;

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

test('a reader rates the demo article, sees their vote again, changes it and explains why', { skip }, async () => {
  const { context, page } = await newReader(browser);
  const problems = watchProblems(page);
  const response = await page.goto(`${BASE_URL}/demo`);
  assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
  const w = widget(page, ARTICLE);

  await expectText(w.heading, 'How useful was this article?');
  assert.deepEqual(
    await w.stars.evaluateAll((stars) => stars.map((s) => s.getAttribute('aria-label'))),
    ['1 star', '2 stars', '3 stars', '4 stars', '5 stars'],
  );
  await expectText(w.prompt, 'Click on a star to rate it!');
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');

  await w.star(4).click();
  await expectText(w.summary, 'Average rating 4.0 / 5. Vote count: 1');
  await expectAttribute(w.star(4), 'aria-checked', 'true');
  await expectText(w.message, 'Thank you for rating this article!');
  assert.equal(await w.feedbackBox.isVisible(), false, 'no feedback box after 4 stars');
  // The stylesheet applied despite the page's strict CSP: stars have their size and colour.
  const star = await w.star(4).evaluate((el) => ({
    width: el.getBoundingClientRect().width,
    fill: getComputedStyle(el.querySelector('svg')).fill,
  }));
  assert.ok(star.width > 24 && star.width < 60, `star width ${star.width}px`);
  assert.equal(star.fill, 'rgb(255, 180, 0)');
  await page.mouse.move(0, 0); // no hover preview in the picture
  await w.host.screenshot({ path: screenshotPath('widget.png') });

  await page.reload();
  await expectAttribute(w.star(4), 'aria-checked', 'true');
  await expectText(w.prompt, /You rated this article 4 stars/);
  await expectText(w.summary, 'Average rating 4.0 / 5. Vote count: 1');

  await w.star(2).click();
  await expectText(w.summary, 'Average rating 2.0 / 5. Vote count: 1');
  await expectAttribute(w.star(2), 'aria-checked', 'true');
  await expectAttribute(w.star(4), 'aria-checked', 'false');
  await expectText(w.message, 'We are sorry that this article was not useful for you!');
  await expectText(w.improve, 'Let us improve this article!');
  assert.equal(await w.feedbackBox.isVisible(), true, 'feedback box after 2 stars');
  assert.equal(
    await w.feedbackBox.evaluate((box) => box.labels[0].textContent),
    'Tell us how we can improve this article?',
  );
  await w.feedbackBox.fill(FEEDBACK);
  await page.mouse.move(0, 0);
  await w.host.screenshot({ path: screenshotPath('widget-feedback.png') });
  await w.sendFeedback.click();
  await expectText(w.message, 'Thank you for your feedback!');
  assert.equal(await w.feedbackBox.isVisible(), false);

  assert.deepEqual(problems, [], 'console errors (CSP violations, exceptions, failed requests)');
  await context.close();
});

test('an editor finds that feedback through the API', { skip }, async () => {
  assert.ok(
    EDITOR_KEY,
    'no editor key: `plaudit keys create --name e2e --scope read` failed or does not exist ' +
      '(see the output of run.sh above)',
  );
  const response = await fetch(`${BASE_URL}/v1/reports/feedback?article_id=${ARTICLE}`, {
    headers: { Authorization: `Bearer ${EDITOR_KEY}` },
  });
  const body = await response.text();
  assert.equal(response.status, 200, `GET /v1/reports/feedback: ${body}`);
  const found = JSON.parse(body).feedback.find((item) => item.text === FEEDBACK);
  assert.ok(found, `the reader's feedback is not among ${body}`);
  assert.equal(found.article_id, ARTICLE);
  assert.equal(found.stars, 2);
});
