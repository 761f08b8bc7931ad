// Plaudit's "How useful was this article?" widget; embedding and theming: see the README.
// No dependencies, eval or inline styles, so it runs under a strict Content-Security-Policy.
(() => {
  'use strict';

  // A second copy of this script would draw every widget twice.
  const LOADED = Symbol.for('plaudit.widget');
  if (window[LOADED]) return;
  window[LOADED] = true;

  // Read now: document.currentScript is null once this script has run.
  const script =
    document.currentScript ||
    [...document.querySelectorAll('script[src*="widget.js"]')].pop();
  // The API lives next to widget.js: the script tag is all a publisher configures.
  const DEFAULT_API = script ? new URL('.', script.src).href : location.origin + '/';

  // Each text can be replaced on the element or, page-wide, on the script tag:
  // data-plaudit-no-votes="..." replaces noVotes.
  const TEXTS = {
    heading: 'How useful was this article?',
    prompt: 'Click on a star to rate it!',
    yours: 'You rated this article {stars}. Click on another star to change your vote.',
    average: 'Average rating {average} / 5. Vote count: {count}',
    votes: 'one:{count} vote|other:{count} votes', // for {votes}; see plural()
    noVotes: 'No votes so far! Be the first to rate this article.',
    stars: '1 star|2 stars|3 stars|4 stars|5 stars',
    thanks: 'Thank you for rating this article!',
    sorry: 'We are sorry that this article was not useful for you!',
    improve: 'Let us improve this article!',
    ask: 'Tell us how we can improve this article?',
    send: 'Send feedback',
    feedbackThanks: 'Thank you for your feedback!',
    notLoaded: 'The rating could not be loaded.',
    notSaved: 'Your vote was not saved.',
    notSent: 'Your feedback was not sent.',
    offline: 'The rating service cannot be reached; check your connection and try again.',
    busy: 'Too many requests right now; please wait a moment and try again.',
    failed: 'Something went wrong; please try again.',
    retry: 'Try again',
  };

  // Each but English fetched as widget/lang/{code}.json.
  const LANGUAGES = 'ar cs da de en es fi fr he it ja nb nl pl pt sv zh zh-Hant'.split(' ');
  const ARTICLE_ID = /^(?!\.+$)[A-Za-z0-9._:-]{1,128}$/; // dots alone are no path segment
  const MAX_BATCH = 100; // the API's limit of article ids per ratings request
  const FEEDBACK_MAX = 2000;
  const KEEP_VOTES = 500; // articles whose vote this browser remembers
  const JSON_POST = { method: 'POST', headers: { 'Content-Type': 'application/json' } };

  const STAR =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 2.5l2.94 ' +
    '5.96 6.58.96-4.76 4.64 1.12 6.55L12 17.52l-5.88 3.09 1.12-6.55L2.48 9.42l6.58-.96z"/></svg>';

  // Theming: the --plaudit-* custom properties, inherited into the shadow root.
  const CSS = `
:host{display:block;margin:1.5em 0}
[hidden]{display:none!important}
.widget{--star:var(--plaudit-star,#ffb400);--edge:var(--plaudit-star-edge,#a36b00);
 --empty:var(--plaudit-star-empty,#767676);--accent:var(--plaudit-accent,#1d5fa8);
 --size:var(--plaudit-star-size,2.25rem);font-family:var(--plaudit-font,inherit);
 color:var(--plaudit-text,inherit);text-align:var(--plaudit-align,center);line-height:1.45;
 letter-spacing:normal;text-transform:none;background:var(--plaudit-background,transparent);
 border:var(--plaudit-border,none);border-radius:var(--plaudit-radius,.5em);
 padding:var(--plaudit-padding,1em 0)}
.heading{font-size:var(--plaudit-heading-size,1.25em);font-weight:700;margin:0 0 .4em}
p{margin:.3em 0}
.stars{display:inline-flex;gap:.15em}
.stars button{all:unset;box-sizing:border-box;width:var(--size);height:var(--size);
 padding:.15em;border-radius:.25em;cursor:pointer}
svg{display:block;width:100%;height:100%;fill:transparent;stroke:var(--empty);
 stroke-width:1.4;stroke-linejoin:round;transition:transform .15s ease-out}
.on svg{fill:var(--star);stroke:var(--edge)}
@media (hover:hover){
 .stars:hover button:not(:hover~button) svg{fill:var(--star);stroke:var(--edge)}
 .stars:hover button:hover~button svg{fill:transparent;stroke:var(--empty)}
 .stars button:hover svg{transform:scale(1.15)}}
:focus-visible,.stars button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.summary{min-height:1.45em}
.status{font-weight:600}
.error .message{color:var(--plaudit-error,#b3261e)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
form{display:grid;gap:.5em;max-width:36em;margin:.8em auto 0;text-align:start}
.improve{font-weight:700}
textarea{font:inherit;color:inherit;background:var(--plaudit-field,#fff);padding:.5em;
 border:1px solid var(--empty);border-radius:.3em;resize:vertical;min-height:5em}
form button,.retry{font:inherit;cursor:pointer;padding:.45em 1.1em;border-radius:.3em;
 border:2px solid var(--accent)}
form button{justify-self:start;background:var(--accent);color:var(--plaudit-accent-text,#fff)}
.retry{background:transparent;color:inherit;margin-top:.3em}
button:disabled,[aria-disabled=true]{cursor:wait;opacity:.6}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}`;

  // A constructed stylesheet is not an inline style: style-src 'self' does not block it.
  let sheet;
  function style(root) {
    try {
      if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      // Safari before 16.4 has no constructed stylesheets; only a strict CSP blocks this.
      root.append(Object.assign(document.createElement('style'), { textContent: CSS }));
    }
  }

  // localStorage may be missing or full; the widget then still works for this page view.
  const saved = {
    get(key) {
      try {
        return JSON.parse(localStorage.getItem('plaudit:' + key));
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem('plaudit:' + key, JSON.stringify(value));
      } catch {}
    },
  };

  // Made on the first vote: readers who never vote leave no id behind.
  let voter = saved.get('voter');
  function voterId() {
    if (!/^[0-9a-f-]{36}$/i.test(voter)) {
      voter = crypto.randomUUID ? crypto.randomUUID() : randomUuid();
      saved.set('voter', voter);
    }
    return voter;
  }

  // crypto.randomUUID exists only on https pages.
  function randomUuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  }

  // Remembered so that a front page asks for the reader's vote only where there is one.
  function rememberVote(article, stars) {
    const votes = saved.get('votes') || {};
    delete votes[article];
    if (stars) votes[article] = stars;
    const keys = Object.keys(votes);
    keys.slice(0, Math.max(0, keys.length - KEEP_VOTES)).forEach((k) => delete votes[k]);
    saved.set('votes', votes);
  }

  // Failures are thrown as { kind, wait }, kind naming the text that explains it.
  async function request(url, init) {
    let response;
    try {
      response = await fetch(url, { credentials: 'omit', ...init });
    } catch {
      throw { kind: 'offline' };
    }
    if (response.status === 429) {
      throw { kind: 'busy', wait: Number(response.headers.get('Retry-After')) || 0 };
    }
    if (!response.ok) throw { kind: response.status === 404 ? 'missing' : 'failed' };
    return response.json();
  }

  const widgets = [];

  class Widget {
    constructor(el) {
      this.el = el;
      this.id = el.dataset.plauditArticle;
      this.api = new URL(el.dataset.plauditApi || DEFAULT_API, location.href).href;
      this.api += this.api.endsWith('/') ? '' : '/';
      const low = parseInt(this.setting('low'), 10);
      this.low = Number.isNaN(low) ? 2 : low; // ratings up to this many stars ask for feedback
      this.own = 0; // the reader's saved vote, 0 for none
      this.choice = 0; // a vote not yet saved
      this.rating = null;
      const tag = (el.closest('[lang]')?.lang || '').replace(/_/g, '-'); // de_DE is no tag
      this.lang = language(tag);
      // The page's language, if the browser knows it, even without built-in texts.
      this.locale = 'en';
      try {
        this.locale = Intl.NumberFormat.supportedLocalesOf(tag)[0] || 'en';
      } catch {} // not a valid language tag
      this.number = new Intl.NumberFormat(this.locale, {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      });
      this.plurals = new Intl.PluralRules(this.locale);
      this.ready = textsIn(this.lang, this.api).then((texts) => {
        this.texts = texts;
        this.render();
      });
      // Or one bad id would fail the request for every widget on the page.
      this.valid = ARTICLE_ID.test(this.id);
      if (this.valid) widgets.push(this);
      else {
        console.error('Plaudit: invalid data-plaudit-article', JSON.stringify(this.id));
        this.ready.then(() => this.fail('notLoaded', { kind: 'failed' }));
      }
    }

    setting(name) {
      const key = 'plaudit' + name[0].toUpperCase() + name.slice(1);
      return this.el.dataset[key] ?? script?.dataset[key];
    }

    text(name, fill = {}) {
      return (this.setting(name) ?? this.texts[name]).replace(/\{(\w+)\}/g, (m, k) => fill[k] ?? m);
    }

    // "one:{count} vote|other:{count} votes": the form the language's plural rules pick for n.
    plural(name, n, fill) {
      const forms = this.text(name, fill).split('|');
      const form = (rule) => forms.find((f) => f.startsWith(rule + ':'))?.slice(rule.length + 1);
      return form(this.plurals.select(n)) ?? form('other') ?? forms[0];
    }

    starLabel(n) {
      return this.text('stars').split('|')[n - 1] || String(n);
    }

    render() {
      try {
        this.root = this.el.attachShadow({ mode: 'open' });
      } catch {
        // Such as <ul> or <a>, which cannot host a shadow root.
        const host = this.el.appendChild(document.createElement('div'));
        this.root = host.attachShadow({ mode: 'open' });
      }
      const level = Math.min(6, Math.max(1, Number(this.setting('headingLevel')) || 2));
      // Unknown languages keep the page's direction.
      const dir = this.lang && ` dir="${/^(ar|he)$/.test(this.lang) ? 'rtl' : 'ltr'}"`;
      this.root.innerHTML = `<div class="widget" part="widget"${dir}>
<h${level} class="heading" id="heading" part="heading"></h${level}>
<div class="stars" role="radiogroup" aria-labelledby="heading" part="stars"></div>
<p class="prompt"></p><p class="summary" part="summary"></p>
<p class="status" role="status"><span class="message"></span> <span class="sr"></span></p>
<button type="button" class="retry" part="button" hidden></button>
<form hidden><p class="improve"></p><label for="text"></label>
<textarea id="text" rows="4" required maxlength="${FEEDBACK_MAX}"></textarea>
<button type="submit" part="button"></button></form></div>`;
      style(this.root);
      const $ = (selector) => this.root.querySelector(selector);
      Object.assign(this, {
        group: $('.stars'),
        prompt: $('.prompt'),
        summary: $('.summary'),
        status: $('.status'),
        message: $('.message'),
        spokenFigures: $('.status .sr'),
        retry: $('.retry'),
        form: $('form'),
        textarea: $('textarea'),
        send: $('form button'),
      });
      $('.heading').textContent = this.text('heading');
      $('.improve').textContent = this.text('improve');
      $('label').textContent = this.text('ask');
      this.send.textContent = this.text('send');
      this.retry.textContent = this.text('retry');
      this.stars = [1, 2, 3, 4, 5].map((n) => {
        const star = document.createElement('button');
        star.type = 'button';
        star.part = 'star';
        star.setAttribute('role', 'radio');
        star.setAttribute('aria-label', this.starLabel(n));
        star.innerHTML = STAR;
        star.onclick = () => this.vote(n);
        this.group.append(star);
        return star;
      });
      this.group.onkeydown = (event) => this.moveFocus(event);
      this.retry.onclick = () => {
        if (this.retry.getAttribute('aria-disabled') !== 'true') this.retryLast?.();
      };
      this.form.onsubmit = (event) => {
        event.preventDefault();
        this.sendFeedback();
      };
      this.showStars();
    }

    // Arrows only move, or every star on the way would be a vote; Space or Enter votes.
    moveFocus(event) {
      const at = this.stars.indexOf(event.target);
      const rtl = getComputedStyle(this.group).direction === 'rtl';
      const step = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: rtl ? 1 : -1, ArrowRight: rtl ? -1 : 1 };
      const to = { Home: 0, End: 4 }[event.key] ?? at + step[event.key];
      if (at < 0 || Number.isNaN(to) || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      this.focusStar(this.stars[(to + 5) % 5]);
    }

    focusStar(star) {
      this.stars.forEach((s) => (s.tabIndex = s === star ? 0 : -1));
      star.focus();
    }

    // Stars show the reader's vote, else the rounded average. A choice not yet saved shows
    // as checked, so it survives a retry.
    showStars() {
      const checked = this.choice || this.own;
      const filled = checked || Math.round(this.rating?.average || 0);
      const navigating = this.stars.includes(this.root.activeElement);
      this.stars.forEach((star, i) => {
        star.classList.toggle('on', i < filled);
        star.setAttribute('aria-checked', String(i + 1 === checked));
        // One tab stop for the group: the checked star, else the first.
        if (!navigating) star.tabIndex = i === Math.max(checked, 1) - 1 ? 0 : -1;
      });
      this.prompt.textContent = this.own
        ? this.text('yours', { stars: this.starLabel(this.own) })
        : this.text('prompt');
    }

    show(rating) {
      if (rating) this.rating = rating;
      if (this.rating) this.summary.textContent = this.figures();
      this.showStars();
    }

    figures() {
      const { average, count } = this.rating;
      if (!count) return this.text('noVotes');
      const fill = {
        average: this.number.format(average),
        count: count.toLocaleString(this.locale),
        max: (5).toLocaleString(this.locale), // for Arabic digits
      };
      fill.votes = this.plural('votes', count, fill);
      return this.text('average', fill);
    }

    // The live region; `spoken` is for screen readers only.
    say(message, spoken = '') {
      this.failed = null;
      this.status.classList.remove('error');
      this.message.textContent = message;
      this.spokenFigures.textContent = spoken;
      // Hiding a focused button would drop keyboard focus onto the page.
      if (this.root.activeElement === this.retry) {
        this.focusStar(this.stars.find((star) => star.tabIndex === 0));
      }
      this.retry.hidden = true;
    }

    // `retry`, if given, is what the Try again button repeats.
    fail(what, error, retry) {
      this.failed = what;
      this.status.classList.add('error');
      const why = this.text(TEXTS[error.kind] ? error.kind : 'failed');
      const first = this.text(what);
      // No space after a Chinese or Japanese full stop.
      this.message.textContent = first + (/[。！？]$/.test(first) ? '' : ' ') + why;
      this.spokenFigures.textContent = '';
      this.retryLast = retry;
      this.retry.hidden = !retry;
      // Honour Retry-After, but never keep the reader waiting long. Not `disabled`, which
      // would throw keyboard focus out of a button pressed again.
      this.retry.setAttribute('aria-disabled', !!error.wait);
      const wait = Math.min(error.wait || 0, 60) * 1e3;
      if (wait) setTimeout(() => this.retry.setAttribute('aria-disabled', false), wait);
    }

    url(path) {
      return `${this.api}v1/articles/${encodeURIComponent(this.id)}/${path}`;
    }

    // Shown at once from memory, then checked: the server may no longer have it.
    async loadOwnVote() {
      const remembered = voter && saved.get('votes')?.[this.id];
      if (!remembered) return;
      await this.ready;
      this.own = remembered;
      this.showStars();
      try {
        this.own = (await request(this.url('votes/' + voter))).stars;
      } catch (error) {
        if (error.kind === 'missing') this.own = 0;
      }
      rememberVote(this.id, this.own);
      this.showStars();
    }

    // Votes go one at a time, or they could arrive out of order; the latest choice wins.
    async vote(stars) {
      this.choice = stars;
      this.showStars();
      if (this.sending) return;
      this.sending = true;
      try {
        let sent, saved;
        do {
          sent = this.choice;
          const body = JSON.stringify({ voter: voterId(), stars: sent });
          saved = await request(this.url('votes'), { ...JSON_POST, body });
        } while (sent !== this.choice);
        this.choice = 0;
        rememberVote(this.id, sent);
        // An article may have a widget at the top and at the bottom of the page.
        for (const w of widgets) {
          if (w.id !== this.id || w.api !== this.api || !w.texts) continue;
          w.own = sent;
          w.show(saved.rating);
        }
        const low = sent <= this.low;
        this.form.hidden = !low;
        this.say(this.text(low ? 'sorry' : 'thanks'), this.figures());
      } catch (error) {
        this.fail('notSaved', error, () => this.vote(this.choice));
      } finally {
        this.sending = false;
      }
    }

    // The text stays in the box until the server has it.
    async sendFeedback() {
      const text = this.textarea.value.trim().slice(0, FEEDBACK_MAX);
      if (!text) return;
      this.send.disabled = true;
      try {
        const body = JSON.stringify({ voter: voterId(), text });
        await request(this.url('feedback'), { ...JSON_POST, body });
        this.form.hidden = true;
        this.textarea.value = '';
        this.say(this.text('feedbackThanks'));
      } catch (error) {
        this.fail('notSent', error);
      } finally {
        this.send.disabled = false;
      }
    }
  }

  // de-AT reads de, nn and no nb, zh-TW zh-Hant (see the README); '' if none is built in.
  function language(tag) {
    tag = tag.toLowerCase();
    if (/^zh-(hant|tw|hk|mo)\b/.test(tag)) return 'zh-Hant';
    const code = tag.split('-')[0].replace(/^n[no]$/, 'nb');
    return LANGUAGES.includes(code) ? code : '';
  }

  // Once per language and API; English where a file or a text is missing.
  const loading = {};
  function textsIn(lang, api) {
    if (!lang || lang === 'en') return Promise.resolve(TEXTS);
    const url = `${api}widget/lang/${lang}.json`;
    return (loading[url] ||= request(url).then((texts) => ({ ...TEXTS, ...texts }), () => TEXTS));
  }

  // One request for all the page's widgets (per API, and per MAX_BATCH).
  async function loadRatings(api, group) {
    const ids = [...new Set(group.map((w) => w.id))];
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      const chunk = ids.slice(i, i + MAX_BATCH);
      const these = group.filter((w) => chunk.includes(w.id));
      const query = new URLSearchParams(chunk.map((id) => ['article_id', id]));
      // Shown once each widget has its texts.
      const loaded = request(`${api}v1/ratings?${query}`);
      loaded.catch(() => {}); // handled below
      for (const w of these) {
        w.ready.then(() => loaded).then(
          ({ ratings }) => {
            if (w.failed === 'notLoaded') w.say('');
            w.show(ratings.find((r) => r.article_id === w.id));
          },
          (error) => w.fail('notLoaded', error, () => loadRatings(api, [w])),
        );
      }
    }
  }

  const mounted = new WeakSet();
  function mountAll() {
    const byApi = new Map();
    for (const el of document.querySelectorAll('[data-plaudit-article]')) {
      if (mounted.has(el)) continue;
      mounted.add(el);
      const widget = new Widget(el);
      if (!widget.valid) continue;
      byApi.set(widget.api, [...(byApi.get(widget.api) || []), widget]);
      widget.loadOwnVote();
    }
    byApi.forEach((group, api) => loadRatings(api, group));
  }

  // Widgets added later (infinite scroll, client-side navigation) are mounted too.
  function start() {
    mountAll();
    let pending;
    new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(mountAll, 50);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  // Waiting for the whole document puts all its widgets into one request.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
