// The console's router: `#/page/param`. Each page renders into <main>; what it hands to
// `onLeave` (closing its event stream, say) runs when the user leaves it, even mid-load.
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
  jobs: { render: (main, id, onLeave) => (id ? renderJob(main, id, onLeave) : renderJobs(main, onLeave)), title: 'Jobs' },
  submit: { render: renderSubmit, title: 'Submit a job' },
  keys: { render: renderKeys, title: 'API keys' },
  webhooks: { render: renderWebhooks, title: 'Webhooks' },
  billing: { render: renderBilling, title: 'Balance' },
  admin: { render: renderAdmin, title: 'Admin', admin: true },
};

let leaving = [];
let visits = 0;

async function route() {
  for (const leave of leaving.splice(0)) leave();
  clearAlert();
  const [name = '', param] = location.hash.replace(/^#\/?/, '').split('/');
  const signedIn = Boolean(session.get());
  const page = pages[name];
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
  // Each visit renders into its own element, so a page still loading after the user moved on
  // writes into a detached one, never into the next page.
  const view = document.createElement('div');
  document.getElementById('main').replaceChildren(view);
  const visit = ++visits;
  // The user may have moved on while this page was loading: then its cleanup runs at once.
  const onLeave = (leave) => (visit === visits ? leaving.push(leave) : leave());
  try {
    const rendering = page.render(view, param ? decodeURIComponent(param) : undefined, onLeave);
    // Pages put their heading up before they load anything: keyboard and screen-reader users
    // land on it at once.
    view.querySelector('h1')?.focus();
    await rendering;
  } catch (error) {
    if (visit === visits) showError(error);
  }
  if (visit === visits && !view.contains(document.activeElement)) view.querySelector('h1')?.focus();
}

function updateChrome(current) {
  const signedIn = session.get();
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  document.getElementById('who-email').textContent = signedIn ? `Signed in as ${signedIn.email}` : '';
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
