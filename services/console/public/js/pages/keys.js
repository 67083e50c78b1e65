import { api } from '../api.js';
import { actionButton, actionForm, announce, field, formatTime, h, pageHeading, secretBox } from '../ui.js';

export async function renderKeys(main) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '100' });
  const submit = h('button', { type: 'submit', text: 'Create key' });
  const created = h('div', { class: 'created' });
  const list = h('div');

  const refresh = async () => {
    const keys = await api('/auth/api-keys');
    list.replaceChildren(keysTable(keys, refresh));
  };

  const form = actionForm(
    { 'aria-label': 'Create an API key' },
    submit,
    async () => {
      const key = await api('/auth/api-keys', { method: 'POST', json: { name: name.value.trim() } });
      created.replaceChildren(secretBox('New API key', key.key, `This is the only time the key "${key.name}" is shown. Store it now.`));
      name.value = '';
      announce(`API key "${key.name}" created. Copy it now: it will not be shown again.`);
      await refresh();
    },
    field('Key name', name, 'For example the backend or laptop that will use it.'),
    submit,
  );

  main.append(
    pageHeading('API keys'),
    h('p', { text: 'Your backend sends jobs with an API key (Authorization: Bearer ck_live_…). Each key is shown once, when it is created.' }),
    form,
    created,
    h('h2', { text: 'Active keys' }),
    list,
  );
  await refresh();
}

function keysTable(keys, refresh) {
  if (keys.length === 0) return h('p', { text: 'No active keys yet.' });
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden', text: 'Active API keys' }),
    h('thead', {}, h('tr', {}, ['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'Actions'].map((t) => h('th', { scope: 'col', text: t })))),
    h(
      'tbody',
      {},
      keys.map((key) => {
        const revoke = actionButton({ class: 'danger', text: 'Revoke', 'aria-label': `Revoke key ${key.name}` }, async () => {
          await api(`/auth/api-keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
          announce(`Key "${key.name}" revoked.`);
          await refresh();
        });
        return h(
          'tr',
          {},
          h('td', { text: key.name }),
          h('td', {}, h('code', { text: key.prefix })),
          h('td', { text: key.scopes.join(', ') }),
          h('td', { text: formatTime(key.createdAt) }),
          h('td', { text: key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never' }),
          h('td', {}, revoke),
        );
      }),
    ),
  );
}
