import { api } from '../api.js';
import { actionButton, formatTime, h, pageHeading } from '../ui.js';

export async function renderBilling(main) {
  main.append(pageHeading('Balance'));
  const balance = await api('/billing/balance');
  const tbody = h('tbody');
  const more = actionButton({ text: 'Load older entries', hidden: true }, () => loadPage());
  let cursor = null;
  const loadPage = async () => {
    const query = new URLSearchParams({ limit: '20' });
    if (cursor) query.set('cursor', cursor);
    const page = await api(`/billing/ledger?${query}`);
    for (const entry of page.items) {
      tbody.append(
        h(
          'tr',
          {},
          h('td', { text: formatTime(entry.createdAt) }),
          h('td', { text: entry.kind }),
          h('td', { class: 'number', text: signed(entry.amount) }),
          h('td', { class: 'number', text: signed(entry.held) }),
          h('td', {}, entry.jobId ? h('a', { href: `#/jobs/${entry.jobId}`, text: entry.jobId.slice(0, 8), 'aria-label': `Job ${entry.jobId}` }) : '—'),
          h('td', { text: entry.note ?? '' }),
        ),
      );
    }
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };

  const fact = (term, value) => [h('dt', { text: term }), h('dd', { text: String(value) })];
  main.append(
    h(
      'dl',
      { class: 'facts' },
      fact('Available credits', balance.available),
      fact('Reserved by running jobs', balance.reserved),
      fact('Plan', balance.plan),
      fact('Jobs at a time', balance.maxConcurrentJobs),
    ),
    h('h2', { text: 'Ledger' }),
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden', text: 'Ledger entries, newest first' }),
      h('thead', {}, h('tr', {}, ['When', 'Kind', 'Credits', 'Held', 'Job', 'Note'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody,
    ),
    more,
  );
  await loadPage();
}

function signed(n) {
  return n > 0 ? `+${n}` : String(n);
}
