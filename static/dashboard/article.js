// One article: its metadata and link, figures, votes per day, distribution, its revisions
// side by side, its feedback, and for admins a reset that says first what it will delete.

import { api, enc, query } from './api.js';
import { feedbackItem } from './feedback.js';
import {
  FIGURE_COLUMNS, WINDOWS, announce, dailyChart, distributionChart, facts, fmt, go, h, params,
  section, select, table, windowFrom,
} from './ui.js';

function safeLink(url) {
  // Only web addresses become links: a `javascript:` URL from the CMS must not run here.
  return /^https?:\/\//i.test(url || '') ? h('a', { href: url, rel: 'noopener noreferrer' }, url) : fmt.text(url);
}

function revisionsTable(revisions) {
  if (!revisions.length) return h('p', {}, 'No votes in this window.');
  const columns = [
    { key: 'label', label: 'Figure' },
    ...revisions.map((rev, i) => ({ key: `r${i}`, label: rev.revision ?? '(no revision)', numeric: true })),
  ];
  const rows = FIGURE_COLUMNS.map((figure) => {
    const row = { label: figure.label };
    revisions.forEach((rev, i) => { row[`r${i}`] = figure.format(rev.figures[figure.key]); });
    return row;
  });
  return table({ caption: 'Revisions side by side, oldest first', columns, rows, id: 'revisions', empty: 'No votes in this window.' });
}

export async function render(main, { session, id }) {
  const p = params();
  const days = p.days || 'all';
  const [meta, report] = await Promise.all([
    api(`v1/articles/${enc(id)}`),
    api(`v1/reports/articles/${enc(id)}${query({ from: windowFrom(days) })}`),
  ]);
  const figures = report.figures;
  const heading = h('h1', {}, meta.title || id);
  const parts = [
    heading,
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      select('Window', 'days', WINDOWS, days, { onchange: (e) => go(`article/${enc(id)}`, { days: e.target.value }) })),
    section('About',
      facts([
        ['Article id', id, 'article_id'],
        ['Link', safeLink(meta.url), 'url'],
        ['Section', fmt.text(meta.section), 'section'],
        ['Authors', meta.authors.length ? meta.authors.join(', ') : '—', 'authors'],
        ['Published', fmt.text(meta.published_at), 'published_at'],
      ], { id: 'metadata' })),
    section('Figures in this window',
      facts(FIGURE_COLUMNS.map((c) => [c.label, c.format(figures[c.key]), c.key]), { class: 'facts kpis', id: 'figures' })),
    h('div', { class: 'grid' },
      section('Votes and average per day', dailyChart('Votes and average per day', report.daily)),
      section('Distribution', distributionChart('Stars given', figures.distribution))),
    section('Revisions', revisionsTable(report.revisions)),
    section(report.feedback.length ? `Feedback (newest ${report.feedback.length} in this window)` : 'Feedback',
      report.feedback.length
        ? h('ol', { class: 'feedback-list', id: 'feedback-list' }, report.feedback.map((entry) => feedbackItem(entry, session)))
        : h('p', {}, 'No feedback in this window.'),
      h('p', {}, h('a', { href: `#/feedback?article_id=${enc(id)}` }, 'All feedback on this article'))),
  ];
  if (session.scope === 'admin') {
    const outcome = h('p', { role: 'status' });
    parts.push(section('Reset (admins)',
      h('p', {}, 'After a rewrite, old ratings no longer describe the article. A reset deletes all its votes and feedback; the audit log keeps who did it, when, and the figures before.'),
      h('button', {
        type: 'button',
        class: 'danger',
        id: 'reset-article',
        onclick: async () => {
          const question = `Reset ${id}? This deletes all ${fmt.int(meta.rating.count)} votes ` +
            'and all feedback on it, for good. The audit log keeps the figures before.';
          if (!confirm(question)) return;
          try {
            const done = await api(`v1/articles/${enc(id)}/votes`, { method: 'DELETE' });
            announce(`Reset: ${done.votes_deleted} votes and ${done.feedback_deleted} feedback entries deleted.`);
            await render(main, { session, id });
          } catch (error) {
            outcome.textContent = error.message;
          }
        },
      }, 'Reset this article…'),
      outcome));
  }
  main.replaceChildren(...parts);
}
