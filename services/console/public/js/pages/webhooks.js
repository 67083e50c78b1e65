import { api } from '../api.js';
import { actionButton, actionForm, announce, field, formatTime, h, pageHeading, secretBox } from '../ui.js';

export async function renderWebhooks(main) {
  const url = h('input', { type: 'url', name: 'url', required: true, placeholder: 'https://example.com/hooks/conveyor' });
  const description = h('input', { type: 'text', name: 'description', maxlength: '500' });
  const submit = h('button', { type: 'submit', text: 'Add endpoint' });
  const secret = h('div', { class: 'created' });
  const endpoints = h('div');
  const messages = h('div');

  const refreshEndpoints = async () => {
    const { items } = await api('/webhooks/endpoints');
    endpoints.replaceChildren(endpointsTable(items, { secret, refresh: refreshAll }));
  };
  const refreshMessages = async () => {
    const page = await api('/webhooks/messages?limit=20');
    messages.replaceChildren(messagesTable(page.items, { base: '/webhooks', refresh: refreshMessages }));
  };
  const refreshAll = () => Promise.all([refreshEndpoints(), refreshMessages()]);

  const form = actionForm(
    { 'aria-label': 'Add a webhook endpoint' },
    submit,
    async () => {
      const body = { url: url.value.trim() };
      if (description.value.trim()) body.description = description.value.trim();
      const created = await api('/webhooks/endpoints', { method: 'POST', json: body });
      secret.replaceChildren(secretBox('Signing secret', created.secret, `The secret of ${created.url} is shown only now. Verify each delivery's signature with it.`));
      url.value = '';
      description.value = '';
      announce('Endpoint added.');
      await refreshEndpoints();
    },
    field('Endpoint URL', url),
    field('Description (optional)', description),
    submit,
  );
  const reload = actionButton({ text: 'Refresh messages' }, refreshMessages);

  main.append(
    pageHeading('Webhooks'),
    h('p', { text: "Endpoints get your jobs' outcomes (succeeded, failed, canceled, rejected) as signed requests (Standard Webhooks)." }),
    form,
    secret,
    h('h2', { text: 'Endpoints' }),
    endpoints,
    h('div', { class: 'toolbar' }, h('h2', { text: 'Messages' }), reload),
    messages,
  );
  await refreshAll();
}

function endpointsTable(items, { secret, refresh }) {
  if (items.length === 0) return h('p', { text: 'No endpoints yet.' });
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden', text: 'Webhook endpoints' }),
    h('thead', {}, h('tr', {}, ['URL', 'Kind', 'Status', 'Circuit', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      items.map((endpoint) => {
        const buttons = [];
        if (endpoint.kind !== 'job_url') {
          const test = actionButton({ text: 'Send test', 'aria-label': `Send a test message to ${endpoint.url}` }, async () => {
            await api(`/webhooks/endpoints/${endpoint.id}/test`, { method: 'POST' });
            announce(`Test message queued for ${endpoint.url}.`);
            await refresh();
          });
          const rotate = actionButton({ text: 'Rotate secret', 'aria-label': `Rotate the secret of ${endpoint.url}` }, async () => {
            const rotated = await api(`/webhooks/endpoints/${endpoint.id}/rotate-secret`, { method: 'POST', json: {} });
            secret.replaceChildren(
              secretBox('Signing secret', rotated.secret, `New secret of ${endpoint.url}, shown only now. The old one still signs until ${formatTime(rotated.previousSecretExpiresAt)}.`),
            );
            announce('Secret rotated.');
          });
          buttons.push(test, rotate);
        }
        const remove = actionButton({ class: 'danger', text: 'Delete', 'aria-label': `Delete endpoint ${endpoint.url}` }, async () => {
          await api(`/webhooks/endpoints/${endpoint.id}`, { method: 'DELETE' });
          announce('Endpoint deleted.');
          await refresh();
        });
        buttons.push(remove);
        return h(
          'tr',
          {},
          h('td', {}, h('code', { text: endpoint.url }), endpoint.description ? h('div', { class: 'hint', text: endpoint.description }) : null),
          h('td', { text: endpoint.kind === 'job_url' ? "a job's webhookUrl" : 'subscription' }),
          h('td', { text: endpoint.status + (endpoint.disabledReason ? ` (${endpoint.disabledReason})` : '') }),
          h('td', { text: `${endpoint.health.circuit}, ${endpoint.health.consecutiveFailures} failures in a row` }),
          h('td', { class: 'actions' }, buttons),
        );
      }),
    ),
  );
}

/** The delivery log, shared with the admin page (`base` '/webhooks/admin' there). */
export function messagesTable(items, { base, refresh, showUser = false }) {
  if (items.length === 0) return h('p', { text: 'No messages.' });
  return h(
    'table',
    { class: 'messages' },
    h('caption', { class: 'visually-hidden', text: 'Webhook messages, newest first' }),
    h('thead', {}, h('tr', {}, [...(showUser ? ['User'] : []), 'Event', 'Subject', 'Created', 'Deliveries', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      items.flatMap((message) => {
        const attemptsRow = h('tr', { class: 'attempts', hidden: true }, h('td', { colspan: showUser ? '6' : '5' }));
        const toggle = actionButton({ text: 'Attempts', 'aria-expanded': 'false', 'aria-label': `Attempts of ${message.eventType} ${message.subject ?? ''}`.trim() }, async () => {
          const open = toggle.getAttribute('aria-expanded') === 'true';
          if (!open) {
            const { items: attempts } = await api(`${base}/messages/${message.id}/attempts`);
            attemptsRow.firstChild.replaceChildren(attemptsTable(attempts, message));
          }
          toggle.setAttribute('aria-expanded', String(!open));
          attemptsRow.hidden = open;
        });
        const buttons = [toggle];
        if (message.deliveries.some((d) => d.status === 'failed')) {
          const replay = actionButton({ text: 'Replay', 'aria-label': `Replay ${message.eventType} ${message.subject ?? ''}`.trim() }, async () => {
            const { replayed } = await api(`${base}/messages/${message.id}/replay`, { method: 'POST' });
            announce(`${replayed} failed deliver${replayed === 1 ? 'y' : 'ies'} due again.`);
            await refresh();
          });
          buttons.push(replay);
        }
        const summary = message.deliveries.map((d) => `${d.status}${d.lastStatusCode ? ` (${d.lastStatusCode})` : ''}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`);
        return [
          h(
            'tr',
            { 'data-message-id': message.id },
            showUser ? h('td', {}, h('code', { text: message.userId.slice(0, 8) })) : null,
            h('td', {}, h('code', { text: message.eventType })),
            h('td', {}, h('code', { text: message.subject ?? '—' })),
            h('td', { text: formatTime(message.createdAt) }),
            h('td', { text: summary.join('; ') || 'none' }),
            h('td', { class: 'actions' }, buttons),
          ),
          attemptsRow,
        ];
      }),
    ),
  );
}

function attemptsTable(attempts, message) {
  if (attempts.length === 0) return h('p', { text: 'No attempt yet.' });
  return h(
    'table',
    {},
    h('caption', { text: `Attempts of ${message.eventType}` }),
    h('thead', {}, h('tr', {}, ['#', 'Outcome', 'HTTP status', 'Duration', 'Started', 'Error'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      attempts.map((a) =>
        h(
          'tr',
          {},
          h('td', { text: String(a.number) }),
          h('td', { text: a.outcome }),
          h('td', { text: a.statusCode ?? '—' }),
          h('td', { text: a.durationMs === null || a.durationMs === undefined ? '—' : `${a.durationMs} ms` }),
          h('td', { text: formatTime(a.startedAt) }),
          h('td', { text: a.error ?? '' }),
        ),
      ),
    ),
  );
}
