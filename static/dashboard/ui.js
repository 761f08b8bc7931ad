// Building the page: elements made with text nodes only (nothing the API returns is ever
// parsed as HTML), tables, figures, and charts that always come with their table.

import uPlot from './uPlot.esm.js';

/** An element with attributes and children; strings become text nodes, never markup. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name in element && !name.includes('-') && name !== 'list') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const fmt = {
  int: (n) => (n ?? 0).toLocaleString('en'),
  avg: (n) => (n ?? 0).toFixed(2),
  pct: (n) => `${((n ?? 0) * 100).toFixed(1)}%`,
  wilson: (n) => (n ?? 0).toFixed(3),
  time: (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : ''),
  text: (s) => s ?? '—',
};

/** The figures every report gives, as the columns of a table. */
export const FIGURE_COLUMNS = [
  { key: 'count', label: 'Votes', format: fmt.int, numeric: true },
  { key: 'average', label: 'Average', format: fmt.avg, numeric: true },
  { key: 'bayesian_average', label: 'Bayesian average', format: fmt.avg, numeric: true },
  { key: 'wilson_lower_bound', label: 'Wilson bound (4-5★)', format: fmt.wilson, numeric: true },
  { key: 'useful_share', label: '4-5★ share', format: fmt.pct, numeric: true },
  { key: 'low_share', label: '1-2★ share', format: fmt.pct, numeric: true },
];

/**
 * A table. `columns`: { key, label, format?, numeric?, cell?(row) -> Node, sort? }.
 * `onSort(key)` makes sortable headers buttons; `sorted` = { key, order } marks the current one.
 */
export function table({ caption, columns, rows, onSort, sorted, empty = 'Nothing to show.', id }) {
  const head = h('tr', {}, columns.map((column) => {
    const label = column.label;
    const isSorted = sorted && sorted.key === column.key;
    const ariaSort = isSorted ? (sorted.order === 'asc' ? 'ascending' : 'descending') : undefined;
    const content = onSort && column.sort !== false
      ? h('button', { type: 'button', class: 'sort', onclick: () => onSort(column.key) },
          label, isSorted ? (sorted.order === 'asc' ? ' ▲' : ' ▼') : '')
      : label;
    return h('th', { scope: 'col', class: column.numeric ? 'num' : undefined, 'aria-sort': ariaSort }, content);
  }));
  const body = rows.length
    ? rows.map((row) => h('tr', {}, columns.map((column, i) => {
        const value = column.cell ? column.cell(row) : (column.format ? column.format(row[column.key]) : fmt.text(row[column.key]));
        const tag = i === 0 ? 'th' : 'td';
        return h(tag, { class: column.numeric ? 'num' : undefined, scope: i === 0 ? 'row' : undefined }, value);
      })))
    : [h('tr', {}, h('td', { colSpan: columns.length }, empty))];
  const element = h('table', { id }, caption ? h('caption', {}, caption) : null, h('thead', {}, head), h('tbody', {}, body));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption || 'Table' }, element);
}

/** Label/value pairs. */
export function facts(pairs, attrs = {}) {
  return h('dl', { class: 'facts', ...attrs }, pairs.map(([label, value, key]) =>
    h('div', { 'data-fact': key }, h('dt', {}, label), h('dd', {}, value))));
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), children);
}

const COLORS = { votes: '#1f5fa8', average: '#b3541e', bars: '#2c7a4b' };

function chartWidth(holder) {
  return Math.max(280, Math.min(900, (holder.clientWidth || document.body.clientWidth) - 8));
}

/**
 * Votes and average per day: a uPlot line chart (hidden from screen readers) and the same
 * data as a table.
 */
export function dailyChart(title, days, id = 'daily') {
  const holder = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const figure = h('figure', { class: 'with-data' }, h('figcaption', {}, title), holder,
    table({
      caption: `${title}: the data`,
      columns: [
        { key: 'date', label: 'Day (UTC)' },
        { key: 'votes', label: 'Votes', format: fmt.int, numeric: true },
        { key: 'average', label: 'Average', format: fmt.avg, numeric: true },
      ],
      rows: days,
      id,
      empty: 'No votes in this window.',
    }));
  if (days.length) {
    requestAnimationFrame(() => {
      const xs = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
      new uPlot({
        width: chartWidth(holder),
        height: 220,
        // One day alone would make uPlot span years around it: show a week instead.
        scales: {
          x: { time: true, range: (u, min, max) => (min === max ? [min - 3 * 86_400, max + 3 * 86_400] : [min, max]) },
          avg: { range: [0, 5] },
        },
        series: [
          {},
          { label: 'Votes', stroke: COLORS.votes, fill: 'rgba(31,95,168,0.12)', width: 2 },
          { label: 'Average', stroke: COLORS.average, scale: 'avg', width: 2 },
        ],
        axes: [{}, { label: 'Votes' }, { scale: 'avg', side: 1, label: 'Average', grid: { show: false } }],
      }, [xs, days.map((d) => d.votes), days.map((d) => d.average)], holder);
    });
  }
  return figure;
}

/** The distribution of stars: a bar chart and its table. */
export function distributionChart(title, distribution, id = 'distribution') {
  const counts = [1, 2, 3, 4, 5].map((s) => distribution?.[String(s)] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const holder = h('div', { class: 'chart', 'aria-hidden': 'true' });
  const figure = h('figure', { class: 'with-data' }, h('figcaption', {}, title), holder,
    table({
      caption: `${title}: the data`,
      columns: [
        { key: 'stars', label: 'Stars' },
        { key: 'votes', label: 'Votes', format: fmt.int, numeric: true },
        { key: 'share', label: 'Share', format: fmt.pct, numeric: true },
      ],
      rows: counts.map((votes, i) => ({ stars: `${i + 1}★`, votes, share: total ? votes / total : 0 })),
      id,
    }));
  requestAnimationFrame(() => {
    new uPlot({
      width: Math.min(chartWidth(holder), 480),
      height: 200,
      legend: { show: false },
      scales: { x: { time: false, range: [0.5, 5.5] }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
      series: [{}, { label: 'Votes', fill: COLORS.bars, stroke: COLORS.bars, paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
      axes: [{ splits: () => [1, 2, 3, 4, 5], values: (u, splits) => splits.map((s) => `${s}★`) }, {}],
    }, [[1, 2, 3, 4, 5], counts], holder);
  });
  return figure;
}

/** Says something to screen readers and sighted users alike. */
export function announce(message) {
  const status = document.getElementById('status');
  if (status) status.textContent = message;
}

export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error.message || String(error));
}

/** The report windows editors pick from; `from` starts at a UTC midnight so that a window is
 *  the same all day long. */
export const WINDOWS = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
  ['365', 'Last year'],
  ['all', 'All time'],
];

export function windowFrom(days) {
  if (!days || days === 'all') return undefined;
  const today = new Date();
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return new Date(midnight - (Number(days) - 1) * 86_400_000).toISOString();
}

export function select(label, name, options, value, attrs = {}) {
  const id = `f-${name}`;
  return h('div', { class: 'field' }, h('label', { htmlFor: id }, label),
    h('select', { id, name, ...attrs }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

export function input(label, name, value, attrs = {}) {
  const id = `f-${name}`;
  return h('div', { class: 'field' }, h('label', { htmlFor: id }, label), h('input', { id, name, value: value ?? '', ...attrs }));
}

/** The hash route's parameters as an object, and a way to write them back. */
export function params() {
  const [, search = ''] = location.hash.split('?');
  return Object.fromEntries(new URLSearchParams(search));
}

export function go(path, values) {
  const search = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
  const text = search.toString();
  location.hash = `#/${path}${text ? `?${text}` : ''}`;
}

export function articleLink(id, title) {
  return h('a', { href: `#/article/${encodeURIComponent(id)}` }, title || id);
}

/** A CSV file of `rows` as shown, offered for download. */
export function csvLink(filename, columns, rows) {
  const quote = (value) => {
    const text = value === null || value === undefined ? '' : String(value);
    // A leading =, +, - or @ would be a formula in a spreadsheet: quoted with a ' it stays text.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [columns.map((c) => quote(c.label ?? c.key)).join(',')]
    .concat(rows.map((row) => columns.map((c) => quote(c.raw ? c.raw(row) : row[c.key])).join(',')));
  const blob = new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' });
  return h('a', { href: URL.createObjectURL(blob), download: filename, class: 'button' }, 'Download CSV of this page');
}
