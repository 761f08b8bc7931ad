// The ranking: every figure sortable, filtered by window, section and minimum votes, paged
// with the API's cursor (the service sorts and cuts; the page never loads every article), and
// a CSV of exactly the rows shown.

import { api, query } from './api.js';
import { FIGURE_COLUMNS, WINDOWS, articleLink, csvLink, go, h, input, params, select, table, windowFrom } from './ui.js';

/** Cursors of the pages before this one, to go back. */
let trail = [];

export async function render(main) {
  const p = params();
  const state = {
    days: p.days || '30',
    section: p.section || '',
    min_votes: p.min_votes || '1',
    sort: p.sort || 'bayesian_average',
    order: p.order || 'desc',
    limit: p.limit || '25',
    cursor: p.cursor || '',
  };
  if (!state.cursor) trail = [];
  const report = await api(`v1/reports/articles${query({
    from: windowFrom(state.days),
    section: state.section,
    min_votes: state.min_votes,
    sort: state.sort,
    order: state.order,
    limit: state.limit,
    cursor: state.cursor,
  })}`);
  const refilter = (changes) => {
    trail = [];
    go('articles', { ...state, cursor: '', ...changes });
  };
  const form = h('form', { class: 'filters', id: 'article-filters' },
    select('Window', 'days', WINDOWS, state.days),
    input('Section', 'section', state.section, { type: 'search', placeholder: 'any' }),
    input('Minimum votes', 'min_votes', state.min_votes, { type: 'number', min: '0', inputMode: 'numeric' }),
    select('Rows per page', 'limit', [['25', '25'], ['50', '50'], ['100', '100']], state.limit),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    refilter(Object.fromEntries(data.entries()));
  });
  form.querySelector('select[name=days]').addEventListener('change', () => form.requestSubmit());
  const columns = [
    { key: 'article_id', label: 'Article', sort: false, cell: (row) => articleLink(row.article_id, row.title) },
    { key: 'section', label: 'Section', sort: false },
    ...FIGURE_COLUMNS,
  ];
  const onSort = (key) => refilter({
    sort: key,
    order: key === state.sort && state.order === 'desc' ? 'asc' : 'desc',
  });
  const csvColumns = [
    { key: 'article_id' }, { key: 'title' }, { key: 'section' },
    ...FIGURE_COLUMNS.map((c) => ({ key: c.key })),
    ...[1, 2, 3, 4, 5].map((s) => ({ key: `stars_${s}`, raw: (row) => row.distribution[String(s)] })),
  ];
  const pageNumber = trail.length + 1;
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', {
      type: 'button', id: 'previous-page', disabled: trail.length === 0,
      onclick: () => go('articles', { ...state, cursor: trail.pop() || '' }),
    }, '← Previous'),
    h('span', {}, `Page ${pageNumber}`),
    h('button', {
      type: 'button', id: 'next-page', disabled: !report.next_cursor,
      onclick: () => {
        trail.push(state.cursor);
        go('articles', { ...state, cursor: report.next_cursor });
      },
    }, 'Next →'));
  main.replaceChildren(
    h('h1', {}, 'Articles'),
    form,
    h('p', { class: 'hint' }, `Sorted by ${state.sort.replaceAll('_', ' ')}, ${state.order === 'desc' ? 'highest' : 'lowest'} first. Select a column heading to sort by it.`),
    table({ caption: 'Articles ranked', columns, rows: report.articles, onSort, sorted: { key: state.sort, order: state.order }, id: 'ranking', empty: 'No article has votes matching these filters.' }),
    pager,
    h('p', {}, csvLink(`articles-page-${pageNumber}.csv`, csvColumns, report.articles)),
  );
}
