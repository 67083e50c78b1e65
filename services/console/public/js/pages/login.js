import { api, session } from '../api.js';
import { actionForm, announce, field, h, pageHeading } from '../ui.js';

async function logIn(email, password) {
  const tokens = await api('/auth/login', { method: 'POST', json: { email, password }, anonymous: true });
  session.start(tokens);
}

export function renderLogin(main) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', text: 'Log in' });
  const form = actionForm(
    { 'aria-labelledby': 'login-heading' },
    submit,
    async () => {
      await logIn(email.value.trim(), password.value);
      announce('Logged in.');
      location.hash = '#/jobs';
    },
    field('Email', email),
    field('Password', password),
    submit,
  );
  const heading = pageHeading('Log in');
  heading.id = 'login-heading';
  main.append(h('section', { class: 'narrow' }, heading, form, h('p', {}, 'New here? ', h('a', { href: '#/register', text: 'Create an account' }))));
}

export function renderRegister(main) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: '200' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: '8', maxlength: '72' });
  const submit = h('button', { type: 'submit', text: 'Create account' });
  const form = actionForm(
    { 'aria-labelledby': 'register-heading' },
    submit,
    async () => {
      const body = { email: email.value.trim(), password: password.value };
      if (name.value.trim()) body.name = name.value.trim();
      await api('/auth/register', { method: 'POST', json: body, anonymous: true });
      await logIn(body.email, body.password);
      announce('Account created. Create an API key for your backend, or submit a job from here.');
      location.hash = '#/keys';
    },
    field('Email', email),
    field('Name (optional)', name),
    field('Password', password, '8 to 72 characters.'),
    submit,
  );
  const heading = pageHeading('Create an account');
  heading.id = 'register-heading';
  main.append(h('section', { class: 'narrow' }, heading, form, h('p', {}, 'Have an account? ', h('a', { href: '#/login', text: 'Log in' }))));
}
