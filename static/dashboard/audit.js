// The audit log, for admins: resets, feedback triage and deletions, newest first.

import { api, query } from './api.js';
import { errorBox, fmt, h, table } from './ui.js';

const COLUMNS = [
  { key: 'id', label: 'Entry', numeric: true },
  { key: 'at', label: 'When', format: fmt.time },
  { key: 'key_id', label: 'Key' },
  { key: 'action', label: 'Action' },
  { key: 'article_id', label: 'Article' },
  { key: 'details', label: 'Details', cell: (row) => h('code', {}, JSON.stringify(row.details)) },
];

export async function render(main, { session }) {
  if (session.scope !== 'admin') {
    main.replaceChildren(h('h1', {}, 'Audit log'), h('p', {}, 'The audit log is for admins; this key has read scope.'));
    return;
  }
  const rows = [];
  let cursor = null;
  const holder = h('div', {});
  const more = h('button', { type: 'button', id: 'older-audit' }, 'Older entries');
  const load = async () => {
    const page = await api(`v1/reports/audit${query({ limit: 50, cursor })}`);
    rows.push(...page.entries);
    cursor = page.next_cursor;
    holder.replaceChildren(table({ caption: 'Audit log, newest first', columns: COLUMNS, rows, id: 'audit-log', empty: 'Nothing has been logged yet.' }));
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load().catch((error) => more.after(errorBox(error))));
  await load();
  main.replaceChildren(h('h1', {}, 'Audit log'), holder, more);
}
