// The dashboard's shell: sign-in, sign-out, and a router over the hash (#/overview,
// #/articles, #/article/ID, #/feedback, #/audit) so that every view has a link of its own.

import { api, ApiError } from './api.js';
import { announce, errorBox, h } from './ui.js';
import * as overview from './overview.js';
import * as articles from './articles.js';
import * as article from './article.js';
import * as feedback from './feedback.js';
import * as audit from './audit.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');
let session = null;

const PAGES = { overview, articles, article, feedback, audit };

function showSignedIn() {
  nav.hidden = false;
  // Signed in by a single-sign-on proxy: signing out is the proxy's business.
  signOutButton.hidden = session.key_id.startsWith('sso:');
  document.getElementById('nav-audit').hidden = session.scope !== 'admin';
  const name = session.key_id.startsWith('sso:') ? session.key_id.slice(4) : `Key ${session.key_id}`;
  who.textContent = `${name} · ${session.scope}`;
}

function showSignIn(message) {
  session = null;
  nav.hidden = true;
  signOutButton.hidden = true;
  who.textContent = '';
  const keyInput = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: false });
  const problem = h('p', { class: 'error', role: 'alert', hidden: !message }, message || '');
  const form = h('form', { class: 'sign-in panel', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to the editors\u2019 dashboard'),
    h('p', {}, 'Paste an editor key (from ', h('code', {}, 'plaudit keys create'), '). It is exchanged for a session; the key itself is not kept in the browser.'),
    h('div', { class: 'field' }, h('label', { htmlFor: 'key' }, 'Editor key'), keyInput),
    problem,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      session = await api('v1/session', { method: 'POST', body: { key: keyInput.value } });
      keyInput.value = '';
      showSignedIn();
      announce('Signed in.');
      if (!location.hash || location.hash === '#/') location.hash = '#/overview';
      else route();
    } catch (error) {
      problem.hidden = false;
      problem.textContent = error.message;
    }
  });
  main.replaceChildren(form);
  keyInput.focus();
}

signOutButton.addEventListener('click', async () => {
  try {
    await api('v1/session', { method: 'DELETE' });
  } finally {
    showSignIn('Signed out.');
    announce('Signed out.');
  }
});

async function route() {
  if (!session) return;
  const [path] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  const page = PAGES[name] || overview;
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${name || 'overview'}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    await page.render(main, { session, id: rest.length ? decodeURIComponent(rest.join('/')) : undefined });
    document.title = `${main.querySelector('h1')?.textContent || 'Dashboard'} · Plaudit`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showSignIn('Your session has ended; sign in again.');
      return;
    }
    main.replaceChildren(h('h1', {}, 'Something went wrong'), errorBox(error));
  }
}

window.addEventListener('hashchange', route);

async function start() {
  try {
    session = await api('v1/session');
    showSignedIn();
    if (!location.hash) location.hash = '#/overview';
    else route();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignIn();
    else main.replaceChildren(errorBox(error));
  }
}

start();
