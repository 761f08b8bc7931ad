// How the service serves the widget and the demo pages: types, caching, size, a strict CSP.
// Plain HTTP; no browser needed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BASE_URL, requireServer, skipWithoutServer as skip, STRICT_CSP } from './helpers.mjs';

test('widget.js is JavaScript, cacheable, revalidated by ETag and under 8 KB gzipped', { skip }, async () => {
  requireServer();
  const response = await fetch(`${BASE_URL}/widget.js`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
  const etag = response.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const source = await response.text();
  assert.doesNotMatch(source, /\beval\s*\(|new Function\s*\(/, 'no eval: it must run under CSP');
  const gzipped = gzipSync(source, { level: 9 }).length;
  assert.ok(gzipped < 8192, `widget.js is ${gzipped} bytes gzipped`);

  const again = await fetch(`${BASE_URL}/widget.js`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});

for (const path of ['/demo', '/demo/front']) {
  test(`${path} is HTML under a strict CSP, with no inline script or style`, { skip }, async () => {
    requireServer();
    const response = await fetch(`${BASE_URL}${path}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), STRICT_CSP);
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script has a src');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
    assert.match(html, /data-plaudit-article=/);
  });
}
