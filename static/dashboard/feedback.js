// The feedback inbox: newest first, filtered by window, section, article, stars and status;
// each entry's status changed in place (any editor) or the entry deleted (admins). Readers'
// text is shown as text, never as markup.

import { api, query } from './api.js';
import { WINDOWS, announce, articleLink, errorBox, fmt, go, h, input, params, select, windowFrom } from './ui.js';

export const STATUSES = ['new', 'read', 'resolved', 'spam'];

/** One entry, with its status control and, for admins, a delete button. */
export function feedbackItem(entry, session, onDeleted) {
  const statusId = `status-${entry.id}`;
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  const statusSelect = h('select', { id: statusId, 'data-feedback-status': entry.id },
    STATUSES.map((s) => h('option', { value: s, selected: s === entry.status }, s)));
  statusSelect.addEventListener('change', async () => {
    const wanted = statusSelect.value;
    try {
      await api(`v1/feedback/${entry.id}`, { method: 'PATCH', body: { status: wanted } });
      entry.status = wanted;
      item.dataset.status = wanted;
      problem.hidden = true;
      announce(`Feedback ${entry.id} marked ${wanted}.`);
    } catch (error) {
      statusSelect.value = entry.status;
      problem.hidden = false;
      problem.textContent = error.message;
    }
  });
  const controls = h('div', { class: 'controls' },
    h('label', { htmlFor: statusId }, 'Status'), statusSelect);
  if (session.scope === 'admin') {
    controls.append(h('button', {
      type: 'button',
      class: 'danger',
      'data-delete-feedback': entry.id,
      onclick: async () => {
        if (!confirm(`Delete this feedback on ${entry.article_id} for good? Its text cannot be brought back; the audit log records the deletion.`)) return;
        try {
          await api(`v1/feedback/${entry.id}`, { method: 'DELETE' });
          item.remove();
          announce(`Feedback ${entry.id} deleted.`);
          onDeleted?.(entry);
        } catch (error) {
          problem.hidden = false;
          problem.textContent = error.message;
        }
      },
    }, 'Delete'));
  }
  const item = h('li', { class: 'feedback-item', 'data-feedback-id': entry.id, 'data-status': entry.status },
    h('p', { class: 'meta' },
      h('span', { class: 'stars', 'aria-label': `${entry.stars} stars` }, '★'.repeat(entry.stars) + '☆'.repeat(5 - entry.stars)),
      ' · ', articleLink(entry.article_id),
      entry.revision ? ` · revision ${entry.revision}` : '',
      ` · ${fmt.time(entry.created_at)}`),
    h('p', { class: 'text' }, entry.text),
    controls,
    problem);
  return item;
}

export async function render(main, { session }) {
  const p = params();
  const state = {
    days: p.days || 'all',
    section: p.section || '',
    article_id: p.article_id || '',
    stars: p.stars || '',
    status: p.status || '',
  };
  const filter = {
    from: windowFrom(state.days),
    section: state.section,
    article_id: state.article_id,
    stars: state.stars,
    status: state.status,
    limit: 25,
  };
  const first = await api(`v1/reports/feedback${query(filter)}`);
  const form = h('form', { class: 'filters', id: 'feedback-filters' },
    select('Window', 'days', WINDOWS, state.days),
    input('Section', 'section', state.section, { type: 'search', placeholder: 'any' }),
    input('Article id', 'article_id', state.article_id, { type: 'search', placeholder: 'any' }),
    select('Stars', 'stars', [['', 'any'], ['1', '1★'], ['2', '2★'], ['3', '3★'], ['4', '4★'], ['5', '5★']], state.stars),
    select('Status', 'status', [['', 'any'], ...STATUSES.map((s) => [s, s])], state.status),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('feedback', Object.fromEntries(new FormData(form).entries()));
  });
  const list = h('ol', { class: 'feedback-list', id: 'feedback-list' });
  const more = h('button', { type: 'button', id: 'older-feedback' }, 'Older feedback');
  let cursor = first.next_cursor;
  const show = (entries) => list.append(...entries.map((entry) => feedbackItem(entry, session)));
  show(first.feedback);
  more.hidden = !cursor;
  more.addEventListener('click', async () => {
    try {
      const page = await api(`v1/reports/feedback${query({ ...filter, cursor })}`);
      show(page.feedback);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      more.after(errorBox(error));
    }
  });
  main.replaceChildren(
    h('h1', {}, 'Feedback'),
    form,
    first.feedback.length ? list : h('p', {}, 'No feedback matches these filters.'),
    more,
  );
}
