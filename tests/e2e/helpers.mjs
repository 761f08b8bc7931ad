// What every end-to-end test needs: the running server, a browser, and ways to read a widget
// the way a reader sees it. tests/e2e/run.sh starts the server and sets the variables.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.PLAUDIT_E2E_BASE_URL;
export const EDITOR_KEY = process.env.PLAUDIT_E2E_EDITOR_KEY;
export const CHROMIUM = process.env.PLAUDIT_E2E_CHROMIUM || '/usr/bin/chromium';
export const TARGET_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target');

// Offline machine, no GPU, run as root in containers; playwright's launch() gives every
// browser a fresh temporary profile (user-data-dir) of its own.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Locally a missing browser or server skips with a note; under CI a test that did not run is
// a failure, so there the tests run and fail with the reason instead.
const CI = process.env.CI === 'true';
function skipReason() {
  if (CI) return false;
  if (!BASE_URL) return 'PLAUDIT_E2E_BASE_URL is not set: run tests/e2e/run.sh';
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}: browser tests skipped`;
  return false;
}
export const skip = skipReason();
if (skip) console.log(`# note: ${skip}`);
/** For the tests that need the server but no browser. */
export const skipWithoutServer = !CI && !BASE_URL && 'PLAUDIT_E2E_BASE_URL is not set: run tests/e2e/run.sh';

export function requireServer() {
  assert.ok(BASE_URL, 'PLAUDIT_E2E_BASE_URL is not set: run tests/e2e/run.sh');
}

export async function launchBrowser() {
  requireServer();
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A new reader: their own cookies, storage and so voter id. */
export async function newReader(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 }, ...options });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/** An article id no other test uses. */
export const freshArticle = (name) => `e2e-${name}-${randomUUID().slice(0, 8)}`;

/** The policy the service sends with its demo pages; test pages get the same. */
export const STRICT_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Serves `body` at `url` in this browser context, as a publisher's page would be: the widget
 * script and the API it loads still come from the real server.
 */
export async function publisherPage(context, url, body, csp = STRICT_CSP) {
  await context.route(url, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': csp },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>Publisher page</title></head><body>${body}</body></html>`,
    }),
  );
}

/** The parts of one widget a reader looks at, found by the article it rates. */
export function widget(page, article) {
  const host = page.locator(`[data-plaudit-article="${article}"]`);
  return {
    host,
    heading: host.getByRole('heading'),
    stars: host.getByRole('radio'),
    star: (n) => host.getByRole('radio', { name: n === 1 ? '1 star' : `${n} stars`, exact: true }),
    prompt: host.locator('.prompt'),
    summary: host.locator('.summary'),
    status: host.getByRole('status'),
    message: host.locator('.status .message'),
    improve: host.locator('.improve'),
    feedbackBox: host.getByRole('textbox'),
    sendFeedback: host.getByRole('button', { name: 'Send feedback' }),
    retry: host.getByRole('button', { name: 'Try again' }),
  };
}

/** Waits until `read()` satisfies `check`, else fails saying what was last seen. */
export async function eventually(what, read, check, timeout = 8000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let seen;
    try {
      seen = await read();
    } catch (error) {
      seen = error;
    }
    if (!(seen instanceof Error) && check(seen)) return seen;
    if (Date.now() > deadline) assert.fail(`${what}: last saw ${JSON.stringify(String(seen))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The text a reader sees in `locator` becomes `expected` (a string, or a RegExp to match). */
export function expectText(locator, expected) {
  const matches = (text) =>
    expected instanceof RegExp ? expected.test(text) : text.trim() === expected;
  return eventually(
    `${locator} should read ${expected}`,
    () => locator.textContent({ timeout: 1000 }),
    matches,
  );
}

export function expectAttribute(locator, name, expected) {
  return eventually(
    `${locator} should have ${name}=${expected}`,
    () => locator.getAttribute(name, { timeout: 1000 }),
    (value) => value === expected,
  );
}

/** The label of the star that has keyboard focus, and the article of its widget. */
export function focusedStar(page) {
  return page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement;
    return {
      article: host?.dataset?.plauditArticle ?? null,
      role: inner?.getAttribute('role') ?? null,
      label: inner?.getAttribute('aria-label') ?? null,
    };
  });
}

/** Collects what would show in the console as an error: CSP violations, exceptions, 4xx/5xx. */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return problems;
}

/** Counts requests to an API path (e.g. /v1/ratings) made by the page. */
export function countRequests(page, test) {
  const seen = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (test(url, request)) seen.push(request);
  });
  return seen;
}

export function screenshotPath(name) {
  mkdirSync(TARGET_DIR, { recursive: true });
  return join(TARGET_DIR, name);
}
