import { api } from '../api.js';
import { actionButton, actionForm, announce, field, formatTime, h, pageHeading, pre } from '../ui.js';
import { messagesTable } from './webhooks.js';

const PLANS = ['basic', 'pro'];
const DEAD_LETTER_SERVICES = ['auth', 'users', 'billing', 'jobs', 'webhooks'];

export async function renderAdmin(main) {
  main.append(pageHeading('Admin'));
  const users = h('section', { 'aria-labelledby': 'admin-users' });
  const failed = h('section', { 'aria-labelledby': 'admin-failed' });
  const letters = h('section', { 'aria-labelledby': 'admin-dead-letters' });
  main.append(users, failed, letters);
  await Promise.all([renderUsers(users), renderFailedDeliveries(failed), renderDeadLetters(letters)]);
}

async function renderUsers(section) {
  const q = h('input', { type: 'search', name: 'q' });
  const search = h('button', { type: 'submit', text: 'Search' });
  const list = h('div');
  const load = async () => {
    const query = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) query.set('q', q.value.trim());
    const { items } = await api(`/users?${query}`);
    list.replaceChildren(usersTable(items));
  };
  section.append(
    h('h2', { id: 'admin-users', text: 'Users' }),
    actionForm({ role: 'search', 'aria-label': 'Search users' }, search, load, field('Email or name contains', q), search),
    list,
  );
  await load();
}

function usersTable(items) {
  if (items.length === 0) return h('p', { text: 'No users match.' });
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden', text: 'Users, newest first' }),
    h('thead', {}, h('tr', {}, ['Email', 'Name', 'Registered', 'Plan', 'Grant credits'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      items.map((user) => {
        const plan = h('select', { 'aria-label': `Plan of ${user.email}` }, PLANS.map((p) => h('option', { value: p, text: p })));
        const change = actionButton({ text: 'Set plan', 'aria-label': `Set the plan of ${user.email}` }, async () => {
          const changed = await api(`/billing/accounts/${user.id}/plan`, { method: 'PUT', json: { plan: plan.value } });
          announce(`${user.email} is on ${changed.plan} (${changed.maxConcurrentJobs} jobs at a time).`);
        });
        const credits = h('input', { type: 'number', min: '1', max: '1000000', value: '10', 'aria-label': `Credits to grant ${user.email}` });
        const grant = actionButton({ text: 'Grant', 'aria-label': `Grant credits to ${user.email}` }, async () => {
          const granted = await api(`/billing/accounts/${user.id}/grants`, { method: 'POST', json: { credits: Number(credits.value), note: 'granted in the console' } });
          announce(`Granted ${granted.credits} credits to ${user.email}; ${granted.available} available.`);
        });
        return h(
          'tr',
          {},
          h('td', { text: user.email }),
          h('td', { text: user.name ?? '' }),
          h('td', { text: formatTime(user.registeredAt) }),
          h('td', { class: 'actions' }, plan, change),
          h('td', { class: 'actions' }, credits, grant),
        );
      }),
    ),
  );
}

async function renderFailedDeliveries(section) {
  const list = h('div');
  const load = async () => {
    const { items } = await api('/webhooks/admin/messages?status=failed&limit=50');
    list.replaceChildren(messagesTable(items, { base: '/webhooks/admin', refresh: load, showUser: true }));
  };
  section.append(h('h2', { id: 'admin-failed', text: 'Webhook deliveries that gave up' }), list);
  await load();
}

async function renderDeadLetters(section) {
  const service = h('select', { name: 'service' }, DEAD_LETTER_SERVICES.map((s) => h('option', { value: s, text: s })));
  const show = h('button', { type: 'submit', text: 'Show dead letters' });
  const list = h('div');
  const load = async () => {
    const { items } = await api(`/admin/${service.value}/dead-letters`);
    list.replaceChildren(deadLettersTable(items, service.value, load));
  };
  section.append(
    h('h2', { id: 'admin-dead-letters', text: 'Dead letters' }),
    h('p', { text: 'Events a service could not apply. Replay sends one back to its queue (the inbox skips what was applied); see docs/operations.md.' }),
    actionForm({}, show, load, field('Service', service), show),
    list,
  );
  await load();
}

function deadLettersTable(items, service, reload) {
  if (items.length === 0) return h('p', { text: `No dead letters in ${service}.` });
  return h(
    'table',
    {},
    h('caption', { text: `Dead letters of ${service}` }),
    h('thead', {}, h('tr', {}, ['Event', 'Type', 'Why', 'Failure', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      items.map((letter) => {
        const action = (verb, label) => {
          return actionButton({ text: label, 'aria-label': `${label} ${letter.id}` }, async () => {
            await api(`/admin/${service}/dead-letters/${verb}`, { method: 'POST', json: { id: letter.id } });
            announce(`${label}: ${letter.id}.`);
            await reload();
          });
        };
        return h(
          'tr',
          {},
          h('td', {}, h('code', { text: letter.id ?? '—' })),
          h('td', {}, h('code', { text: letter.type ?? '—' })),
          h('td', { text: letter.reason ?? '' }),
          h('td', {}, letter.failure ? pre(letter.failure) : '—'),
          h('td', { class: 'actions' }, letter.id ? [action('replay', 'Replay'), action('discard', 'Discard')] : null),
        );
      }),
    ),
  );
}
