// The widget on publishers' pages: other origins, other languages, their own styles.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
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
  watchProblems,
  widget,
} from './helpers.mjs';

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

test('works on a publisher page of another origin, as the script tag alone configures it', { skip }, async () => {
  const article = freshArticle('cross-origin');
  // A real server on another port: another origin, every API call is CORS. (A page faked with
  // page.route would have no address, and Chromium would keep it from calling 127.0.0.1.)
  const publisher = await serve(
    `<h1>News</h1><div data-plaudit-article="${article}"></div>
<script src="${BASE_URL}/widget.js" async></script>`,
    // What a publisher with a strict policy has to allow: the service, for script and API.
    `default-src 'self'; img-src data:; script-src 'self' ${BASE_URL}; connect-src 'self' ${BASE_URL}`,
  );
  const { context, page } = await newReader(browser);
  const problems = watchProblems(page);
  await page.goto(publisher.url);
  const w = widget(page, article);
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');
  await w.star(2).click();
  await expectText(w.summary, 'Average rating 2.0 / 5. Vote count: 1');
  await w.feedbackBox.fill('Cross-origin feedback');
  await w.sendFeedback.click();
  await expectText(w.message, 'Thank you for your feedback!');

  await page.reload();
  await expectAttribute(w.star(2), 'aria-checked', 'true');
  assert.deepEqual(problems, [], 'console errors (CORS, CSP, exceptions)');
  await context.close();
  publisher.close();
});

/** Serves one page on a port of its own, as a publisher's site. */
async function serve(body, csp) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>A publisher</title></head><body>${body}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/news/article.html`,
    close: () => server.close(),
  };
}

test('texts come from data attributes and numbers follow the page language', { skip }, async () => {
  const article = freshArticle('german');
  const { context, page } = await newReader(browser);
  const url = `${BASE_URL}/e2e/${article}.html`;
  const stars = '1 Stern|2 Sterne|3 Sterne|4 Sterne|5 Sterne';
  await publisherPage(
    context,
    url,
    `<div lang="de" data-plaudit-article="${article}" data-plaudit-low="3"
  data-plaudit-heading="Wie nützlich war dieser Artikel?" data-plaudit-stars="${stars}"
  data-plaudit-average="Durchschnitt {average} / 5, {count} Stimmen"
  data-plaudit-sorry="Schade, dass der Artikel nicht geholfen hat."></div>
<script src="/widget.js" async data-plaudit-prompt="Klicken Sie auf einen Stern!"></script>`,
  );
  await page.goto(url);
  const w = widget(page, article);
  await expectText(w.heading, 'Wie nützlich war dieser Artikel?');
  await expectText(w.prompt, 'Klicken Sie auf einen Stern!'); // set page-wide on the script tag
  await page.getByRole('radio', { name: '3 Sterne' }).click();
  await expectText(w.summary, 'Durchschnitt 3,0 / 5, 1 Stimmen');
  // data-plaudit-low="3": three stars already ask for feedback.
  await expectText(w.message, 'Schade, dass der Artikel nicht geholfen hat.');
  assert.equal(await w.feedbackBox.isVisible(), true);
  await context.close();
});

test('host page styles neither reach into the widget nor are changed by it; themes do', { skip }, async () => {
  const article = freshArticle('styles');
  const { context, page } = await newReader(browser, { reducedMotion: 'reduce' });
  const url = `${BASE_URL}/e2e/${article}.html`;
  await publisherPage(
    context,
    url,
    `<link rel="stylesheet" href="/e2e/hostile.css">
<p class="host">Host text</p><button class="host">Host button</button>
<div data-plaudit-article="${article}"></div><script src="/widget.js" async></script>`,
  );
  // Rules a careless site stylesheet might have, and a theme through custom properties.
  await context.route('**/e2e/hostile.css', (route) =>
    route.fulfill({
      contentType: 'text/css',
      body: `p { color: rgb(200, 0, 0); display: none } button { display: none }
        svg { width: 400px !important; height: 400px !important }
        [data-plaudit-article] { --plaudit-star: rgb(10, 120, 200); --plaudit-star-size: 48px }`,
    }),
  );
  await page.goto(url);
  const w = widget(page, article);
  await expectText(w.summary, 'No votes so far! Be the first to rate this article.');
  assert.equal(await w.summary.isVisible(), true);
  assert.equal(await w.star(1).isVisible(), true);
  await w.star(5).click();
  await expectText(w.summary, 'Average rating 5.0 / 5. Vote count: 1');
  const star = await w.star(5).evaluate((el) => {
    const svg = getComputedStyle(el.querySelector('svg'));
    return { width: el.getBoundingClientRect().width, fill: svg.fill, transition: svg.transitionDuration };
  });
  assert.deepEqual(star, { width: 48, fill: 'rgb(10, 120, 200)', transition: '0s' });

  const host = await page.evaluate(() => {
    const style = (selector) => getComputedStyle(document.querySelector(selector));
    return { p: style('p.host').display, button: style('button.host').display };
  });
  assert.deepEqual(host, { p: 'none', button: 'none' }, 'the widget left host styles alone');
  await context.close();
});

test('a widget added to the page later is mounted and loads its rating', { skip }, async () => {
  const article = freshArticle('late');
  const { context, page } = await newReader(browser);
  const url = `${BASE_URL}/e2e/${article}.html`;
  await publisherPage(context, url, `<main></main><script src="/widget.js" async></script>`);
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  await page.evaluate((id) => {
    const el = document.createElement('div');
    el.dataset.plauditArticle = id;
    document.querySelector('main').append(el);
  }, article);
  await expectText(widget(page, article).summary, 'No votes so far! Be the first to rate this article.');
  await context.close();
});
