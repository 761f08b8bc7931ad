// The widget in the reader's language: picked by the nearest lang attribute, numbers and plural
// forms of that language, right to left for Arabic and Hebrew, data attributes still winning,
// English for the rest; each language file fetched once and then taken from the cache.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
  BASE_URL,
  expectText,
  freshArticle,
  launchBrowser,
  newReader,
  screenshotPath,
  skip,
  watchProblems,
  widget,
} from './helpers.mjs';

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

test('a German page shows German texts and numbers; its language file is fetched once, then cached', { skip }, async () => {
  const [rated, unrated] = [freshArticle('de-rated'), freshArticle('de-unrated')];
  await castVotes(rated, [5, 5, 4, 4, 3]);
  const publisher = await publish('de', `<div data-plaudit-article="${rated}"></div>
<p>Zwischen den Artikeln</p><div data-plaudit-article="${unrated}"></div>`);
  const { context, page } = await newReader(browser);
  const problems = watchProblems(page);
  const fetched = await languageFilesFromNetwork(context, page);
  await page.goto(publisher.url);

  const w = widget(page, rated);
  await expectText(w.heading, 'Wie hilfreich war dieser Artikel?');
  await expectText(w.prompt, 'Klicken Sie auf einen Stern, um den Artikel zu bewerten!');
  await expectText(w.summary, 'Durchschnittliche Bewertung: 4,2 / 5 (5 Stimmen)');
  assert.deepEqual(await starLabels(w), ['1 Stern', '2 Sterne', '3 Sterne', '4 Sterne', '5 Sterne']);
  const other = widget(page, unrated);
  await expectText(other.summary, 'Noch keine Bewertungen! Geben Sie die erste Bewertung für diesen Artikel ab.');
  await other.host.getByRole('radio', { name: '4 Sterne' }).click();
  await expectText(other.summary, 'Durchschnittliche Bewertung: 4,0 / 5 (1 Stimme)');
  await expectText(other.message, 'Vielen Dank für Ihre Bewertung!');
  await expectText(other.prompt, 'Ihre Bewertung: 4 Sterne. Klicken Sie auf einen anderen Stern, um sie zu ändern.');
  assert.deepEqual(fetched, [`${BASE_URL}/widget/lang/de.json`], 'one request for both widgets');

  // The next article page of the same site: the file comes from the browser's cache.
  await page.goto(publisher.url);
  await expectText(w.heading, 'Wie hilfreich war dieser Artikel?');
  await expectText(w.summary, 'Durchschnittliche Bewertung: 4,2 / 5 (5 Stimmen)');
  assert.equal(fetched.length, 1, `fetched again: ${fetched}`);
  assert.deepEqual(problems, [], 'console errors (CORS, CSP, exceptions)');
  await context.close();
  publisher.close();
});

test('Arabic and Hebrew read right to left, the first star on the right', { skip }, async () => {
  const [arabic, hebrew] = [freshArticle('ar'), freshArticle('he')];
  await castVotes(arabic, [4, 5]);
  const publisher = await publish('ar', `<div data-plaudit-article="${arabic}"></div>
<div lang="he" data-plaudit-article="${hebrew}"></div>`);
  const { context, page } = await newReader(browser);
  const problems = watchProblems(page);
  await page.goto(publisher.url);

  const w = widget(page, arabic);
  await expectText(w.heading, 'ما مدى فائدة هذا المقال؟');
  const [average, five] = await page.evaluate(() =>
    [4.5, 5].map((n) => n.toLocaleString('ar', { minimumFractionDigits: n % 1 ? 1 : 0 })),
  );
  await expectText(w.summary, `متوسط التقييم: ${average} من ${five} (صوتان)`);
  assert.deepEqual(await starLabels(w), ['نجمة واحدة', 'نجمتان', 'ثلاث نجوم', 'أربع نجوم', 'خمس نجوم']);
  assert.deepEqual(await layout(w), { dir: 'rtl', direction: 'rtl', firstStarOnTheRight: true });
  // Keyboard: in a right-to-left group, the left arrow goes on to the next star.
  const first = w.host.getByRole('radio', { name: 'نجمة واحدة' });
  await first.focus();
  await page.keyboard.press('ArrowLeft');
  const focused = await w.host.evaluate((host) => host.shadowRoot.activeElement?.getAttribute('aria-label'));
  assert.equal(focused, 'نجمتان');
  await page.screenshot({ path: screenshotPath('widget-ar.png'), fullPage: true });

  const h = widget(page, hebrew);
  await expectText(h.heading, 'עד כמה הכתבה הזו הועילה לכם?');
  await expectText(h.summary, 'עדיין אין דירוגים! היו הראשונים לדרג את הכתבה.');
  assert.deepEqual(await layout(h), { dir: 'rtl', direction: 'rtl', firstStarOnTheRight: true });
  assert.deepEqual(problems, []);
  await context.close();
  publisher.close();
});

test('Polish counts and stars take the plural form each number needs', { skip }, async () => {
  const counts = { 1: 'głos', 2: 'głosy', 5: 'głosów', 22: 'głosy' };
  const articles = Object.fromEntries(Object.keys(counts).map((n) => [n, freshArticle(`pl-${n}`)]));
  for (const [n, article] of Object.entries(articles)) await castVotes(article, Array(Number(n)).fill(4));
  const body = Object.values(articles).map((a) => `<div data-plaudit-article="${a}"></div>`);
  const publisher = await publish('pl', body.join('\n'));
  const { context, page } = await newReader(browser);
  await page.goto(publisher.url);

  for (const [n, word] of Object.entries(counts)) {
    await expectText(widget(page, articles[n]).summary, `Średnia ocena: 4,0 / 5 (${n} ${word})`);
  }
  const w = widget(page, articles[5]);
  assert.deepEqual(await starLabels(w), ['1 gwiazdka', '2 gwiazdki', '3 gwiazdki', '4 gwiazdki', '5 gwiazdek']);
  await w.host.getByRole('radio', { name: '5 gwiazdek' }).click();
  await expectText(w.summary, 'Średnia ocena: 4,2 / 5 (6 głosów)');
  await expectText(w.prompt, 'Twoja ocena: 5 gwiazdek. Kliknij inną gwiazdkę, aby ją zmienić.');
  await context.close();
  publisher.close();
});

test('data attributes still win over the built-in texts', { skip }, async () => {
  const article = freshArticle('de-override');
  await castVotes(article, [5, 5, 4, 4, 3]);
  const publisher = await publish(
    'de',
    `<div data-plaudit-article="${article}" data-plaudit-heading="Hat Ihnen der Artikel geholfen?"
  data-plaudit-average="{average} von 5 Sternen ({votes})"></div>`,
    'data-plaudit-prompt="Ihre Meinung zählt!"',
  );
  const { context, page } = await newReader(browser);
  await page.goto(publisher.url);
  const w = widget(page, article);
  await expectText(w.heading, 'Hat Ihnen der Artikel geholfen?');
  await expectText(w.prompt, 'Ihre Meinung zählt!'); // set page-wide on the script tag
  await expectText(w.summary, '4,2 von 5 Sternen (5 Stimmen)'); // with the built-in plural
  assert.deepEqual(await starLabels(w), ['1 Stern', '2 Sterne', '3 Sterne', '4 Sterne', '5 Sterne']);
  await context.close();
  publisher.close();
});

test('an unknown language falls back to English, with no extra request', { skip }, async () => {
  const article = freshArticle('xx');
  await castVotes(article, [5, 5, 4, 4, 3]);
  const publisher = await publish('xx', `<div data-plaudit-article="${article}"></div>`);
  const { context, page } = await newReader(browser);
  const fetched = await languageFilesFromNetwork(context, page);
  await page.goto(publisher.url);
  const w = widget(page, article);
  await expectText(w.heading, 'How useful was this article?');
  await expectText(w.summary, 'Average rating 4.2 / 5. Vote count: 5');
  assert.deepEqual(await starLabels(w), ['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
  assert.deepEqual(await layout(w), { dir: '', direction: 'ltr', firstStarOnTheRight: false });
  assert.deepEqual(fetched, []);
  await context.close();
  publisher.close();
});

test('a language file that cannot be loaded leaves the widget in English, working', { skip }, async () => {
  const article = freshArticle('de-offline');
  await castVotes(article, [5, 5, 4, 4, 3]);
  const publisher = await publish('de', `<div data-plaudit-article="${article}"></div>`);
  const { context, page } = await newReader(browser);
  await context.route('**/widget/lang/**', (route) => route.abort('connectionrefused'));
  await page.goto(publisher.url);
  const w = widget(page, article);
  await expectText(w.heading, 'How useful was this article?');
  await expectText(w.summary, 'Average rating 4,2 / 5. Vote count: 5'); // German numbers still
  await w.star(1).click();
  await expectText(w.message, 'We are sorry that this article was not useful for you!');
  await context.close();
  publisher.close();
});

test("the nearest lang attribute wins over the page's; regions and scripts find their language", { skip }, async () => {
  const headings = {
    fr: 'Cet article vous a-t-il été utile\u00a0?',
    'de-AT': 'Wie hilfreich war dieser Artikel?',
    de_DE: 'Wie hilfreich war dieser Artikel?', // WordPress's get_locale(), not a language tag
    'pt-BR': 'Quão útil foi este artigo?',
    'zh-TW': '這篇文章對您有幫助嗎？',
    'zh-Hans-CN': '这篇文章对您有帮助吗？',
    nn: 'Hvor nyttig var denne artikkelen?',
    en: 'How useful was this article?',
  };
  const articles = Object.fromEntries(Object.keys(headings).map((lang) => [lang, freshArticle(lang)]));
  const [inSection, inPage] = [freshArticle('section'), freshArticle('page')];
  const body = Object.entries(articles).map(
    ([lang, article]) => `<div lang="${lang}" data-plaudit-article="${article}"></div>`,
  );
  body.push(`<section lang="pl"><p>Artykuł</p><div data-plaudit-article="${inSection}"></div></section>`);
  body.push(`<div data-plaudit-article="${inPage}"></div>`);
  const publisher = await publish('sv', body.join('\n'));
  const { context, page } = await newReader(browser);
  const fetched = await languageFilesFromNetwork(context, page);
  await page.goto(publisher.url);

  for (const [lang, heading] of Object.entries(headings)) {
    await expectText(widget(page, articles[lang]).heading, heading);
  }
  await expectText(widget(page, inSection).heading, 'Jak przydatny był ten artykuł?');
  await expectText(widget(page, inPage).heading, 'Hur användbar var den här artikeln?');
  const files = ['de', 'fr', 'nb', 'pl', 'pt', 'sv', 'zh', 'zh-Hant'];
  assert.deepEqual(fetched.sort(), files.map((code) => `${BASE_URL}/widget/lang/${code}.json`).sort());
  await context.close();
  publisher.close();
});

/** Votes from as many new readers, through the API. */
async function castVotes(article, stars) {
  for (const n of stars) {
    const response = await fetch(`${BASE_URL}/v1/articles/${article}/votes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ voter: randomUUID(), stars: n }),
    });
    assert.equal(response.status, 201, await response.text());
  }
}

/**
 * A publisher's page in `lang` on an origin of its own, under a strict policy. A real server,
 * not page.route, which would turn the browser's HTTP cache off.
 */
async function publish(lang, body, scriptAttributes = '') {
  const csp = `default-src 'self'; img-src data:; script-src ${BASE_URL}; connect-src ${BASE_URL}`;
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp });
    response.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>News</title></head><body>${body}
<script src="${BASE_URL}/widget.js" async ${scriptAttributes}></script></body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/news/article.html`,
    close: () => server.close(),
  };
}

/** The language files the page fetched over the network, not from the browser's cache. */
async function languageFilesFromNetwork(context, page) {
  const fetched = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', ({ response }) => {
    const cached = response.fromDiskCache || response.fromPrefetchCache || response.fromServiceWorker;
    if (response.url.includes('/widget/lang/') && !cached) fetched.push(response.url);
  });
  return fetched;
}

function starLabels(w) {
  return w.stars.evaluateAll((stars) => stars.map((s) => s.getAttribute('aria-label')));
}

/** The widget root's dir attribute, its direction, and where the first star is drawn. */
function layout(w) {
  return w.host.evaluate((host) => {
    const root = host.shadowRoot.querySelector('.widget');
    const [first, , , , last] = host.shadowRoot.querySelectorAll('.stars button');
    return {
      dir: root.getAttribute('dir') ?? '',
      direction: getComputedStyle(root).direction,
      firstStarOnTheRight: first.getBoundingClientRect().left > last.getBoundingClientRect().left,
    };
  });
}
