// The API documentation at /docs: openapi.json rendered for a person, under the strict CSP,
// with nothing loaded from elsewhere.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  BASE_URL,
  countRequests,
  expectText,
  launchBrowser,
  newReader,
  requireServer,
  screenshotPath,
  skip,
  skipWithoutServer,
  STRICT_CSP,
  watchProblems,
} from './helpers.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of the spec the server serves, as the page should show it. */
async function specOperations() {
  const response = await fetch(`${BASE_URL}/openapi.json`);
  assert.equal(response.status, 200, 'GET /openapi.json');
  const spec = await response.json();
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      path,
      method,
      id: item[method].operationId,
      needsKey: (item[method].security ?? spec.security ?? []).some((r) => 'editorKey' in r),
    })),
  );
}

let browser;
before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(() => browser?.close());

test('/docs is HTML under the strict CSP; its script and styles are cached and small', {
  skip: skipWithoutServer,
}, async () => {
  requireServer();
  const page = await fetch(`${BASE_URL}/docs`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('content-security-policy'), STRICT_CSP);
  const html = await page.text();
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script has a src');
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'nothing from other sites');

  for (const [path, type] of [
    ['/docs/docs.js', 'text/javascript; charset=utf-8'],
    ['/docs/docs.css', 'text/css; charset=utf-8'],
  ]) {
    const response = await fetch(`${BASE_URL}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), type, path);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300', path);
    const etag = response.headers.get('etag');
    const source = await response.text();
    assert.doesNotMatch(source, /\beval\s*\(|new Function\s*\(|\.innerHTML\s*=|https?:\/\//, path);
    const gzipped = gzipSync(source, { level: 9 }).length;
    assert.ok(gzipped < 8192, `${path} is ${gzipped} bytes gzipped`);
    const again = await fetch(`${BASE_URL}${path}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, path);
  }
});

test('a developer reads every operation of the contract, and which need the editor key', { skip }, async () => {
  const operations = await specOperations();
  const { context, page } = await newReader(browser, { viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  const elsewhere = countRequests(page, (url) => url.origin !== BASE_URL);
  await page.goto(`${BASE_URL}/docs`);

  await expectText(page.getByRole('heading', { level: 1 }), 'Plaudit');
  assert.match(await page.title(), /^Plaudit /);
  const contents = page.getByRole('navigation', { name: 'Contents' });
  for (const { path, method, id, needsKey } of operations) {
    const section = page.getByRole('region', { name: `${method.toUpperCase()} ${path}`, exact: true });
    assert.equal(await section.count(), 1, `one section for ${method.toUpperCase()} ${path}`);
    assert.equal(await section.getAttribute('id'), id, `the section of ${id} is #${id}`);
    assert.equal(await section.locator('.opid').textContent(), id);
    assert.equal(await contents.locator(`a[href="#${id}"]`).count(), 1, `${id} is in the contents`);
    const auth = await section.locator('.auth').textContent();
    if (needsKey) assert.match(auth, /^Needs the editor key: send Authorization: Bearer <key>\.$/, id);
    else assert.equal(auth, 'Public: no key needed.', id);
  }
  assert.ok(operations.some((op) => op.needsKey) && operations.some((op) => !op.needsKey));

  // A vote's request body is spelled out, and its named types link to their sections.
  const recordVote = page.locator('#recordVote');
  const body = recordVote.locator('.media').first();
  await expectText(body.locator('p').first(), 'application/json VoteRequest');
  const property = (name) => body.locator('.props > li', { hasText: new RegExp(`^${name} `) });
  await expectText(property('voter'), /^voter required Voter \(string \(uuid\), exactly 36 characters\)/);
  await expectText(property('stars'), /^stars required Stars \(integer \(int32\), 1 to 5\)/);
  await recordVote.getByRole('link', { name: 'VoteRequest' }).click();
  await expectText(page.locator(':target h3'), 'VoteRequest');
  assert.ok(await page.locator('#schema-VoteRequest').isVisible());
  // allOf is merged: a report row has the figures' properties and its own.
  const row = await page.locator('#schema-ArticleReportRow .props').first().textContent();
  assert.match(row, /bayesian_average required number, 0 to 5/);
  assert.match(row, /title required NullableText \(string or null, at most 1000 characters/);

  await page.goto(`${BASE_URL}/docs`);
  await page.locator('h1').waitFor();
  await page.screenshot({ path: screenshotPath('docs.png') });
  assert.deepEqual(problems, [], 'console errors (CSP violations, exceptions)');
  assert.deepEqual(elsewhere.map((r) => r.url()), [], 'requests to other sites');
  await context.close();
});

test('a link to an operation opens the page at that operation', { skip }, async () => {
  const { context, page } = await newReader(browser, { viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${BASE_URL}/docs#resetArticle`);
  const section = page.locator('#resetArticle');
  await expectText(section.locator('.auth strong'), 'Needs the editor key');
  const top = await section.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top > -1 && top < 50, `the section starts ${top}px from the top of the window`);
  // The window as the reader sees it: the section is taller than the window, and an element
  // screenshot of one that tall waited for a scroll that never settled.
  await page.screenshot({ path: screenshotPath('docs-operation.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('text in the spec stays text: no markup, no script links', { skip }, async () => {
  const { context, page } = await newReader(browser);
  const problems = watchProblems(page);
  const hostile = '<img src=x id=injected> **bold** and [a link](javascript:alert(1)) and [ok](#top)';
  await context.route(`${BASE_URL}/openapi.json`, (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        openapi: '3.1.0',
        info: { title: '<b>Plaudit</b>', version: '1', description: hostile },
        paths: {},
      }),
    }),
  );
  await page.goto(`${BASE_URL}/docs`);
  await expectText(page.getByRole('heading', { level: 1 }), '<b>Plaudit</b>');
  const description = page.locator('header p', { hasText: 'injected' });
  await expectText(description, '<img src=x id=injected> bold and a link and ok');
  assert.equal(await page.locator('#injected, main img, h1 b').count(), 0, 'no element from spec text');
  assert.equal(await description.locator('strong').textContent(), 'bold');
  const links = await description.getByRole('link').evaluateAll((all) => all.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#top'], 'only the harmless link is a link');
  assert.deepEqual(problems, []);
  await context.close();
});

test('when the contract cannot be loaded, the page says so and links the YAML', { skip }, async () => {
  const { context, page } = await newReader(browser);
  await context.route(`${BASE_URL}/openapi.json`, (route) => route.fulfill({ status: 503, body: '' }));
  await page.goto(`${BASE_URL}/docs`);
  await expectText(
    page.getByRole('alert'),
    'The API description could not be shown (HTTP 503). The contract itself is at openapi.yaml.',
  );
  assert.equal(await page.getByRole('link', { name: 'openapi.yaml' }).getAttribute('href'), 'openapi.yaml');
  await context.close();
});
