// The overview: the window's totals, votes and average per day, the distribution, sections
// side by side, the articles needing attention (with the newest feedback) and the most useful.

import { api, query } from './api.js';
import {
  FIGURE_COLUMNS, WINDOWS, articleLink, dailyChart, distributionChart, facts, fmt, go, h,
  params, section, select, table, windowFrom,
} from './ui.js';

export async function render(main) {
  const p = params();
  const days = p.days || '30';
  const minVotes = p.min_votes || '10';
  const from = windowFrom(days);
  const [summary, daily, useful, latest] = await Promise.all([
    api(`v1/reports/summary${query({ from, min_votes: minVotes })}`),
    api(`v1/reports/daily${query({ from })}`),
    api(`v1/reports/articles${query({ from, min_votes: minVotes, sort: 'wilson_lower_bound', order: 'desc', limit: 10 })}`),
    api(`v1/reports/feedback${query({ from, status: 'new', limit: 5 })}`),
  ]);
  const figures = summary.figures;
  const windowPicker = select('Window', 'days', WINDOWS, days, {
    onchange: (e) => go('overview', { ...p, days: e.target.value }),
  });
  const rowColumns = [
    { key: 'article_id', label: 'Article', cell: (row) => articleLink(row.article_id, row.title) },
    { key: 'section', label: 'Section' },
    ...FIGURE_COLUMNS,
  ];
  main.replaceChildren(
    h('h1', {}, 'Overview'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, windowPicker),
    facts([
      ['Votes', fmt.int(figures.count), 'votes'],
      ['Articles rated', fmt.int(summary.articles), 'articles'],
      ['Average', fmt.avg(figures.average), 'average'],
      ['4-5★ share', fmt.pct(figures.useful_share), 'useful_share'],
    ], { class: 'facts kpis', id: 'totals' }),
    h('div', { class: 'grid' },
      section('Votes and average per day', dailyChart('Votes and average per day', daily.days)),
      section('Distribution', distributionChart('Stars given', figures.distribution))),
    section(`Needs attention (lowest Wilson bound, at least ${fmt.int(summary.needs_attention.min_votes)} votes)`,
      table({ caption: 'Articles needing attention', columns: rowColumns, rows: summary.needs_attention.articles, id: 'needs-attention', empty: 'No article has enough votes yet.' })),
    section('Newest unread feedback',
      latest.feedback.length
        ? h('ul', { class: 'feedback-list compact' }, latest.feedback.map((entry) =>
            h('li', {}, h('span', { class: 'meta' }, `${entry.stars}★ · `, articleLink(entry.article_id), ` · ${fmt.time(entry.created_at)}`),
              h('p', { class: 'text' }, entry.text))))
        : h('p', {}, 'No new feedback.'),
      h('p', {}, h('a', { href: '#/feedback?status=new' }, 'All new feedback'))),
    section('Most useful (highest Wilson bound)',
      table({ caption: 'Most useful articles', columns: rowColumns, rows: useful.articles, id: 'most-useful' })),
    section('Sections',
      table({
        caption: 'Sections side by side',
        id: 'sections',
        columns: [
          { key: 'section', label: 'Section', cell: (row) => row.section ?? '(none)' },
          { key: 'articles', label: 'Articles', format: fmt.int, numeric: true },
          ...FIGURE_COLUMNS.map((c) => ({ ...c, cell: (row) => c.format(row.figures[c.key]) })),
        ],
        rows: summary.sections,
      })),
  );
}
