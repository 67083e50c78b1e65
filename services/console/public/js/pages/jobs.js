import { api, session } from '../api.js';
import { followJobEvents } from '../sse.js';
import { actionButton, announce, formatTime, h, pageHeading } from '../ui.js';

const FINAL = new Set(['succeeded', 'failed', 'canceled', 'rejected']);

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, text: status });
}

export async function renderJobs(main, onLeave) {
  const controller = new AbortController();
  onLeave(() => controller.abort());
  const rows = new Map(); // job id → { row, job }
  const tbody = h('tbody');
  const empty = h('p', { text: 'No jobs yet. Submit one, or send one with an API key.' });
  const live = h('p', { class: 'live-state', text: 'Live updates: connecting…' });
  const more = actionButton({ text: 'Load older jobs', hidden: true }, () => loadPage());
  let cursor = null;

  const render = (job) => {
    const link = h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, text: job.id.slice(0, 8), 'aria-label': `Job ${job.id}` });
    return h(
      'tr',
      { 'data-job-id': job.id },
      h('td', {}, link),
      h('td', { text: job.type }),
      h('td', { class: 'status' }, statusBadge(job.status)),
      h('td', { text: formatTime(job.createdAt) }),
      h('td', { class: 'finished', text: formatTime(job.finishedAt) }),
    );
  };
  const put = (job, { atTop }) => {
    const existing = rows.get(job.id);
    const row = render(job);
    if (existing) existing.row.replaceWith(row);
    else if (atTop) tbody.prepend(row);
    else tbody.append(row);
    rows.set(job.id, { row, job });
    empty.hidden = rows.size > 0;
  };

  // Changes that arrive before the first page is in are applied after it.
  let pending = [];
  const apply = async (change) => {
    const known = rows.get(change.jobId);
    if (known) {
      if (FINAL.has(known.job.status)) return;
      const job = { ...known.job, status: change.status, finishedAt: FINAL.has(change.status) ? change.at : known.job.finishedAt };
      put(job, { atTop: false });
      if (FINAL.has(change.status)) announce(`Job ${change.jobId.slice(0, 8)} ${change.status}.`);
    } else {
      // A job submitted elsewhere (another tab, an API key): fetch it once.
      put(await api(`/jobs/${encodeURIComponent(change.jobId)}`, { signal: controller.signal }), { atTop: true });
    }
  };
  void followJobEvents('/jobs/events', {
    token: () => session.get()?.accessToken,
    signal: controller.signal,
    onState: (state) => (live.textContent = state === 'live' ? 'Live updates: on' : 'Live updates: reconnecting…'),
    onEvent: (change) => {
      if (pending) pending.push(change);
      else void apply(change).catch(() => undefined);
    },
  });

  const loadPage = async () => {
    const query = new URLSearchParams({ limit: '20' });
    if (cursor) query.set('cursor', cursor);
    const page = await api(`/jobs?${query}`, { signal: controller.signal });
    for (const job of page.items) if (!rows.has(job.id)) put(job, { atTop: false });
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };

  main.append(
    pageHeading('Jobs'),
    h('div', { class: 'toolbar' }, h('a', { href: '#/submit', class: 'button', text: 'Submit a job' }), live),
    h(
      'table',
      { class: 'jobs' },
      h('caption', { class: 'visually-hidden', text: 'Your jobs, newest first' }),
      h('thead', {}, h('tr', {}, ['Job', 'Type', 'Status', 'Created', 'Finished'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody,
    ),
    empty,
    more,
  );
  await loadPage();
  const early = pending;
  pending = null;
  for (const change of early) await apply(change).catch(() => undefined);
}
