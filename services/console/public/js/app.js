// The console's router: `#/page/param`. Each page renders into <main> and may return a cleanup
// (to close its event stream) that runs when the user leaves it.
import { api, session } from './api.js';
import { clearAlert, showError } from './ui.js';
import { renderLogin, renderRegister } from './pages/login.js';
import { renderKeys } from './pages/keys.js';
import { renderSubmit } from './pages/submit.js';
import { renderJobs } from './pages/jobs.js';
import { renderJob } from './pages/job.js';
import { renderWebhooks } from './pages/webhooks.js';
import { renderBilling } from './pages/billing.js';
import { renderAdmin } from './pages/admin.js';

const pages = {
  login: { render: renderLogin, public: true, title: 'Log in' },
  register: { render: renderRegister, public: true, title: 'Create an account' },
  jobs: { render: (main, id) => (id ? renderJob(main, id) : renderJobs(main)), title: 'Jobs' },
  submit: { render: renderSubmit, title: 'Submit a job' },
  keys: { render: renderKeys, title: 'API keys' },
  webhooks: { render: renderWebhooks, title: 'Webhooks' },
  billing: { render: renderBilling, title: 'Balance' },
  admin: { render: renderAdmin, title: 'Admin', admin: true },
};

let cleanup = null;
let visits = 0;

async function route() {
  if (cleanup) cleanup();
  cleanup = null;
  clearAlert();
  const [name = '', param] = location.hash.replace(/^#\/?/, '').split('/');
  const signedIn = Boolean(session.get());
  let page = pages[name];
  if (!page || (!page.public && !signedIn)) {
    location.replace(signedIn ? '#/jobs' : '#/login');
    return;
  }
  if (page.public && signedIn) {
    location.replace('#/jobs');
    return;
  }
  if (page.admin && !session.isAdmin()) {
    location.replace('#/jobs');
    return;
  }
  updateChrome(name);
  document.title = `${page.title} · Conveyor console`;
  const main = document.getElementById('main');
  main.replaceChildren();
  const visit = ++visits;
  try {
    const rendering = page.render(main, param ? decodeURIComponent(param) : undefined);
    // Pages put their heading up before they load anything: keyboard and screen-reader users
    // land on it at once.
    main.querySelector('h1')?.focus();
    const done = (await rendering) ?? null;
    // The user may have moved on while this page was loading.
    if (visit !== visits) return done?.();
    cleanup = done;
  } catch (error) {
    if (visit === visits) showError(error);
  }
  if (visit === visits && !main.contains(document.activeElement)) main.querySelector('h1')?.focus();
}

function updateChrome(current) {
  const current_session = session.get();
  document.getElementById('nav').hidden = !current_session;
  document.getElementById('who').hidden = !current_session;
  document.getElementById('who-email').textContent = current_session ? `Signed in as ${current_session.email}` : '';
  for (const item of document.querySelectorAll('.admin-only')) item.hidden = !session.isAdmin();
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === `#/${current}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

document.getElementById('logout').addEventListener('click', () => {
  // The refresh token was never kept, so there is no server session to end here.
  session.end();
  location.hash = '#/login';
});

window.addEventListener('hashchange', route);
void route();

// Kept for the browser console while debugging: `conveyor.api('/auth/me')`.
window.conveyor = { api };
