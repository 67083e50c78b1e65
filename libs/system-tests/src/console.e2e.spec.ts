import { freePorts, uniqueName, waitFor } from '@conveyor/testing';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsoleProcess, type ConsoleProcess } from './support/console-process';
import { startRecordingReceiver, type RecordedRequest } from './support/http';
import { startPlatform, type Platform } from './support/platform';
import { REPO_ROOT, SYSTEM_TEST_ADMIN_EMAIL } from './support/service-process';

/**
 * A newcomer's first minutes in the web console, in headless Chromium against the whole
 * platform (five services and the console, each its own process). Locators go by label and
 * role, so a control without an accessible name fails the spec. Screenshots are kept in
 * test-artifacts/console/.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** What the specs read of an <img> in the page (the spec is compiled without the DOM types). */
interface ImageState {
  complete: boolean;
  naturalWidth: number;
}
const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts/console');

describe('the web console in a browser', () => {
  let platform: Platform;
  let consoleProcess: ConsoleProcess;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startRecordingReceiver>>;
  let receiverUrl: string;
  let received: RecordedRequest[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = await startRecordingReceiver();
    ({ url: receiverUrl, received } = receiver);
    platform = await startPlatform({
      services: ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'],
      env: { WEBHOOKS_ALLOW_HTTP: 'true', WEBHOOKS_ALLOW_LOOPBACK: 'true' },
    });
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const [port] = await freePorts(1);
    consoleProcess = await startConsoleProcess(platform, port);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await consoleProcess?.stop();
    receiver?.close();
    await platform?.stop();
  });

  const email = `${uniqueName('console')}@example.com`;
  const password = 'correct horse battery';
  const shot = (name: string) => page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });

  it('registers, creates an API key and a webhook endpoint, uploads an image, watches it succeed live and sees the webhook attempt', async () => {
    // given a newcomer on the console's start page
    await page.goto(consoleProcess.url);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    // when they register (and are logged in by it)
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name (optional)').fill('Ada');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();

    // and create an API key, which is shown once
    await page.getByLabel('Key name').fill('laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByLabel('New API key').inputValue()).toMatch(/^ck_live_[0-9A-Za-z]{43}$/);
    await page.getByRole('button', { name: 'Revoke key laptop' }).waitFor();
    await shot('api-keys');

    // and register a webhook endpoint on the loopback receiver
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    expect(await page.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);

    // and upload the demo image, previewed before it is sent, as a 128 px WebP thumbnail
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Submit a job' }).click();
    await page.getByLabel('Image file').setInputFiles(resolve(REPO_ROOT, 'demo/sample.png'));
    await waitFor(() => page.getByRole('img', { name: 'Preview of the selected image' }).evaluate((img: ImageState) => img.complete && img.naturalWidth > 0), {
      description: 'the local preview to load',
    });
    await page.getByLabel('Thumbnail size (pixels)').fill('128');
    await page.getByLabel('Output format').selectOption('webp');
    await page.getByRole('button', { name: 'Submit job' }).click();

    // then the jobs page lists the job and its status turns succeeded live (the page is not reloaded)
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByText('Live updates: on').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'image.transform' });
    await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 45_000 });
    await page.getByRole('status').getByText(/succeeded/).waitFor();
    await shot('jobs');

    // and the job's page previews the WebP result and offers it for download
    const jobLink = row.getByRole('link');
    const jobId = String(await jobLink.getAttribute('aria-label')).replace('Job ', '');
    await jobLink.click();
    const result = page.getByRole('img', { name: `Result of job ${jobId}` });
    await waitFor(() => result.evaluate((img: ImageState) => img.complete && img.naturalWidth === 128), { description: 'the result preview' });
    await page.getByText(/128×\d+ webp/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download result' }).click()]);
    expect(download.suggestedFilename()).toBe(`${jobId}.webp`);
    await shot('job');

    // and the webhook page shows the signed delivery of its outcome with the attempt
    await waitFor(() => received.find((r) => r.body.includes(jobId) && r.headers['webhook-signature']), { description: 'the webhook of the job', timeoutMs: 30_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    const message = page.getByRole('row').filter({ hasText: jobId });
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh messages' }).click();
        return (await message.getByText(/succeeded \(204\)/).count()) > 0;
      },
      { description: 'the delivery to be logged as succeeded', timeoutMs: 20_000, intervalMs: 500 },
    );
    await message.getByRole('button', { name: /^Attempts of/ }).click();
    const attempts = page.getByRole('table', { name: /^Attempts of/ });
    await attempts.getByRole('cell', { name: '204', exact: true }).waitFor();
    await shot('webhooks');

    // and the balance page shows the ledger with the job's capture
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Balance' }).click();
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
    await page.getByRole('link', { name: `Job ${jobId}` }).first().waitFor();
  }, 120_000);

  it('logs in with the keyboard alone', async () => {
    // given a logged-out visitor on the login page, its heading focused
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    // when they tab to each field, type, and press Enter
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("type")')).toBe('email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("type")')).toBe('password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');

    // then they are on their jobs, and focus is on the page's heading
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await waitFor(() => page.evaluate('document.activeElement?.tagName === "H1"'), { description: 'focus on the heading' });
    await shot('after-keyboard-login');
  });

  it('shows an administrator the users, with credit grants, and each service’s dead letters', async () => {
    // given the administrator's account (auth makes ADMIN_EMAIL an administrator)
    const admin = { email: SYSTEM_TEST_ADMIN_EMAIL, password: 'admin password for the console' };
    const registered = await fetch(`${platform.service('auth').url}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    expect(registered.status).toBe(201);

    // when they log in and open the admin page
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();

    // then they can grant the newcomer credits …
    await page.getByRole('button', { name: `Grant credits to ${email}` }).click();
    await page.getByRole('status').getByText(`Granted 10 credits to ${email}`).waitFor();
    // … and read a service's dead letters through the console
    await page.getByLabel('Service', { exact: true }).selectOption('jobs');
    await page.getByRole('button', { name: 'Show dead letters' }).click();
    await page.getByText('No dead letters in jobs.').waitFor();
    await shot('admin');
  });
});
