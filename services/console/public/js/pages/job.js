import { api, session } from '../api.js';
import { followJobEvents } from '../sse.js';
import { actionButton, announce, formatTime, h, pageHeading, pre } from '../ui.js';
import { statusBadge } from './jobs.js';

const FINAL = new Set(['succeeded', 'failed', 'canceled', 'rejected']);

export async function renderJob(main, id, onLeave) {
  const controller = new AbortController();
  const urls = [];
  onLeave(() => {
    controller.abort();
    for (const url of urls) URL.revokeObjectURL(url);
  });
  const details = h('dl', { class: 'facts' });
  const result = h('section', { 'aria-labelledby': 'result-heading' });
  const actions = h('div', { class: 'toolbar' });
  main.append(h('p', {}, h('a', { href: '#/jobs', text: '← All jobs' })), pageHeading(`Job ${id}`));
  let job = await api(`/jobs/${encodeURIComponent(id)}`, { signal: controller.signal });

  const show = async () => {
    const fact = (term, value) => [h('dt', { text: term }), h('dd', {}, value)];
    details.replaceChildren(
      ...fact('Status', statusBadge(job.status)),
      ...fact('Type', job.type),
      ...fact('Created', formatTime(job.createdAt)),
      ...fact('Started', formatTime(job.startedAt)),
      ...fact('Finished', formatTime(job.finishedAt)),
      ...fact('Attempts', String(job.attempts ?? 0)),
      ...(job.reason ? fact('Reason', job.reason) : []),
      ...(job.error ? fact('Error', `${job.error.message ?? ''} ${job.error.code ? `(${job.error.code})` : ''}`) : []),
      ...(job.webhookUrl ? fact('Webhook URL', job.webhookUrl) : []),
      ...(job.traceId ? fact('Trace id', h('code', { text: job.traceId })) : []),
    );
    actions.replaceChildren();
    if (!FINAL.has(job.status)) {
      const cancel = actionButton({ class: 'danger', text: 'Cancel job' }, async () => {
        job = await api(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
        announce('Job canceled.');
        await show();
      });
      actions.append(cancel);
    }
    if (job.status === 'succeeded' && !result.hasChildNodes()) await showResult();
  };

  const showResult = async () => {
    const response = await api(`/jobs/${encodeURIComponent(id)}/result`, { raw: true, signal: controller.signal });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    urls.push(url);
    const extension = job.result?.format ?? (blob.type.includes('json') ? 'json' : 'bin');
    const download = h('a', { href: url, download: `${id}.${extension}`, class: 'button', text: 'Download result' });
    const heading = h('h2', { id: 'result-heading', text: 'Result' });
    if (blob.type.startsWith('image/')) {
      const meta = job.result ? `${job.result.width}×${job.result.height} ${job.result.format}, ${job.result.bytes} bytes` : blob.type;
      result.replaceChildren(heading, h('figure', {}, h('img', { src: url, alt: `Result of job ${id}`, class: 'result' }), h('figcaption', { text: meta })), download);
    } else {
      result.replaceChildren(heading, pre(JSON.parse(await blob.text())), download);
    }
  };

  main.append(
    details,
    actions,
    result,
    h('h2', { text: 'Input' }),
    pre(job.input),
    ...(job.metadata && Object.keys(job.metadata).length ? [h('h2', { text: 'Metadata' }), pre(job.metadata)] : []),
  );
  await show();

  if (!FINAL.has(job.status)) {
    void followJobEvents(`/jobs/${encodeURIComponent(id)}/events`, {
      once: true,
      token: () => session.get()?.accessToken,
      signal: controller.signal,
      onState: () => undefined,
      onEvent: async (change) => {
        if (change.status === job.status) return;
        job = await api(`/jobs/${encodeURIComponent(id)}`, { signal: controller.signal });
        await show();
        if (FINAL.has(job.status)) announce(`Job ${job.status}.`);
      },
    });
  }
}
