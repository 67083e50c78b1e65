import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions } from '@conveyor/persistence';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import sharp from 'sharp';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { JobFinisher } from '../src/jobs/run-jobs/finish-job';
import { JOB_ROW_COLUMNS, type JobRow } from '../src/jobs/run-jobs/job-row';
import { FileResult } from '../src/results/file-result';
import { JobResults } from '../src/results/job-results';
import { PgBlobStore } from '../src/results/pg-blob-store';
import { ResultLinks } from '../src/results/result-links';
import { projectedApiKey } from './api-key.fixtures';
import { pngClaiming, twoToneImage } from './image.fixtures';
import { endlessBody, redirectTo, serve, startImageServer, type Route } from './image-server';
import { insertPendingJob, jobState, outboxEvents, reservation, untilStatus } from './job-processing.fixtures';

jest.setTimeout(30_000);

const THUMBNAIL_TO_WEBP = [{ op: 'thumbnail', size: 100 }, { op: 'format', format: 'webp', quality: 70 }];

describe('image.transform jobs: fetch or upload, transform, store and download (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let images: Awaited<ReturnType<typeof startImageServer>>;
  let client: { userId: string; key: string };
  let held: { arrived: boolean };

  beforeAll(async () => {
    const [png, jpeg] = await Promise.all([twoToneImage(400, 200, 'png'), twoToneImage(300, 600, 'jpeg')]);
    held = { arrived: false };
    const hold: Route = () => void (held.arrived = true);
    let flakyCalls = 0;
    const flaky: Route = (request, response) =>
      ++flakyCalls === 1 ? response.writeHead(503).end() : serve(png, 'image/png')(request, response);
    images = await startImageServer({
      '/photo.png': serve(png, 'image/png'),
      // declared as text: the content decides, not the header
      '/photo.jpg': serve(jpeg, 'text/plain'),
      '/redirect-to-loopback': (request, response) => redirectTo(images.url('/photo.png'))(request, response),
      '/huge.png': endlessBody(50 * 1024 * 1024),
      '/bomb.png': serve(pngClaiming(30_000, 30_000), 'image/png'),
      '/text': serve(Buffer.from('not an image at all'), 'image/png'),
      '/held.png': hold,
      '/flaky.png': flaky,
    });
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '100', JOBS_ALLOW_LOOPBACK_FETCH: 'true',
      JOB_RETRY_BASE_DELAY_MS: '0',
    });
    client = await projectedApiKey(jobs);
  });

  afterAll(async () => {
    await jobs?.close();
    await images?.close();
  });

  const auth = (key = client.key) => ({ authorization: `Bearer ${key}` });
  const download = (path: string, headers: Record<string, string> = {}) => fetch(`${jobs.url}${path}`, { headers });

  /** Submits over HTTP, lets billing reserve it, and waits for the job to end. */
  async function runOverHttp(body: unknown, until = 'succeeded') {
    const submitted = await jobs.request('POST', '/v1/jobs', { token: client.key, body });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    await jobs.publish(reservation({ id, userId: client.userId }));
    await untilStatus(jobs.sql, id, until);
    return id;
  }

  /** Runs a job inserted as submitted (its own client, so jobs run side by side) and waits for it to end. */
  async function runInserted(input: unknown, until: string) {
    const job = await insertPendingJob(jobs.sql, { type: 'image.transform', input });
    await jobs.publish(reservation(job));
    return untilStatus(jobs.sql, job.id, until);
  }

  it.each([
    ['PNG', '/photo.png', 100, 50],
    ['JPEG served as text/plain', '/photo.jpg', 50, 100],
  ])('turns a %s from an image server into a webp thumbnail, downloadable by API key and by signed link', async (_, path, width, height) => {
    // when
    const id = await runOverHttp({ type: 'image.transform', input: { imageUrl: images.url(path), operations: THUMBNAIL_TO_WEBP } });

    // then the job describes its file and links to it
    const job = await jobs.request('GET', `/v1/jobs/${id}`, { token: client.key });
    const result = job.body.result as Record<string, string | number>;
    expect(result).toMatchObject({ format: 'webp', contentType: 'image/webp', width, height, downloadUrl: `/v1/jobs/${id}/result` });
    expect(String(result.signedUrl)).toMatch(new RegExp(`^/v1/results/${id}\\?expires=\\d+&signature=`));
    // and the view, signed link included, revalidates (the link changes only every few minutes)
    const viewed = await fetch(`${jobs.url}/v1/jobs/${id}`, { headers: auth() });
    await viewed.arrayBuffer(); // an unread body would keep the connection busy past the spec
    const etag = viewed.headers.get('etag') ?? '';
    expect((await fetch(`${jobs.url}/v1/jobs/${id}`, { headers: { ...auth(), 'if-none-match': etag } })).status).toBe(304);

    // and the file downloads with the key, and without it by the signed link, as the same webp
    const byKey = await download(String(result.downloadUrl), auth());
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get('content-type')).toBe('image/webp');
    const file = Buffer.from(await byKey.arrayBuffer());
    expect(file.length).toBe(result.bytes);
    expect(await sharp(file).metadata()).toMatchObject({ format: 'webp', width, height });
    const bySignedLink = await download(String(result.signedUrl));
    expect(bySignedLink.status).toBe(200);
    expect(Buffer.from(await bySignedLink.arrayBuffer()).equals(file)).toBe(true);

    // and the succeeded event carries the description and a signed link for webhook receivers
    const succeeded = (await outboxEvents(jobs.sql, id)).find((event) => event.type === 'jobs.job.succeeded.v1');
    expect(succeeded?.data).toMatchObject({ resultUrl: `/v1/jobs/${id}/result`, result: { format: 'webp', width, height } });
    expect((succeeded?.data.result as { signedUrl: string }).signedUrl).toMatch(`/v1/results/${id}?`);
  });

  it('refuses a tampered, misdirected or expired signed link with 403, and another client with 404', async () => {
    // given a finished job and its signed link
    const id = await runOverHttp({ type: 'image.transform', input: { imageUrl: images.url('/photo.png'), operations: THUMBNAIL_TO_WEBP } });
    const signedUrl = String(((await jobs.request('GET', `/v1/jobs/${id}`, { token: client.key })).body.result as { signedUrl: string }).signedUrl);
    const query = new URL(signedUrl, jobs.url).searchParams;
    const signature = query.get('signature') as string;
    const other = await insertPendingJob(jobs.sql);

    // then
    const refusals = {
      tampered: `/v1/results/${id}?expires=${query.get('expires')}&signature=${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
      'later expiry': `/v1/results/${id}?expires=${Number(query.get('expires')) + 60}&signature=${signature}`,
      'other job': `/v1/results/${other.id}?${query}`,
      unsigned: `/v1/results/${id}`,
      expired: new ResultLinks(jobs.config.RESULT_URL_SIGNING_KEY, 60, () => new Date(Date.now() - 3_600_000)).signed(id).url,
    };
    for (const [why, path] of Object.entries(refusals)) {
      const answer = await jobs.request('GET', path);
      expect({ why, status: answer.status, type: answer.contentType }).toEqual({ why, status: 403, type: expect.stringContaining('application/problem+json') });
      expect(answer.body.code).toBe(why === 'expired' ? 'JOBS.RESULT_LINK_EXPIRED' : 'JOBS.RESULT_LINK_INVALID');
    }
    const stranger = await projectedApiKey(jobs);
    expect((await jobs.request('GET', `/v1/jobs/${id}/result`, { token: stranger.key })).body.code).toBe('JOBS.JOB_NOT_FOUND');
    expect((await jobs.request('GET', `/v1/jobs/${id}/result`)).status).toBe(401);
  });

  it('transforms an image uploaded as multipart/form-data with the job', async () => {
    // given
    const form = new FormData();
    form.set('type', 'image.transform');
    form.set('input', JSON.stringify({ operations: [{ op: 'resize', width: 40, height: 40, fit: 'fill' }, { op: 'grayscale' }] }));
    form.set('metadata', JSON.stringify({ order: 'upload-1' }));
    form.set('file', new Blob([await twoToneImage(80, 60, 'jpeg')], { type: 'image/jpeg' }), 'photo.jpg');

    // when
    const submitted = await fetch(`${jobs.url}/v1/jobs`, { method: 'POST', headers: auth(), body: form });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const stored = await jobs.sql<{ bytes: number }>(`SELECT bytes FROM jobs.blobs WHERE job_id = $1 AND purpose = 'upload'`, [id]);
    expect(stored).toHaveLength(1);
    await jobs.publish(reservation({ id, userId: client.userId }));
    await untilStatus(jobs.sql, id, 'succeeded');

    // then
    const job = await jobs.request('GET', `/v1/jobs/${id}`, { token: client.key });
    expect(job.body).toMatchObject({ metadata: { order: 'upload-1' }, input: { upload: { bytes: stored[0].bytes } } });
    expect(job.body.result).toMatchObject({ format: 'jpeg', width: 40, height: 40 });
    const file = Buffer.from(await (await download(`/v1/jobs/${id}/result`, auth())).arrayBuffer());
    expect(await sharp(file).metadata()).toMatchObject({ format: 'jpeg', width: 40, height: 40, channels: 1 });
  });

  it('answers a repeated multipart submission with the same Idempotency-Key once, storing one upload', async () => {
    // given the same upload sent twice under one key, by a client of its own (the job stays
    // pending, and a pending job holds back its client's later jobs)
    const uploader = await projectedApiKey(jobs);
    const image = await twoToneImage(16, 16, 'png');
    const key = `upload-${randomUUID()}`;
    const post = () => {
      const form = new FormData();
      form.set('type', 'image.transform');
      form.set('input', JSON.stringify({ operations: [{ op: 'grayscale' }] }));
      form.set('file', new Blob([image], { type: 'image/png' }), 'a.png');
      return fetch(`${jobs.url}/v1/jobs`, { method: 'POST', headers: { ...auth(uploader.key), 'idempotency-key': key }, body: form });
    };

    // when
    const first = await post();
    const second = await post();

    // then one job with one stored upload, and the second answer is the first one replayed
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [(await first.json()) as { id: string }, (await second.json()) as { id: string }];
    expect(b.id).toBe(a.id);
    expect(await jobs.sql(`SELECT 1 FROM jobs.blobs WHERE job_id = $1`, [a.id])).toHaveLength(1);
  });

  it('refuses uploads that are too large, for a type that takes none, or faked in JSON, and bad operations, with field names', async () => {
    const upload = (type: string, bytes: number) => {
      const form = new FormData();
      form.set('type', type);
      form.set('input', JSON.stringify({ operations: [{ op: 'grayscale' }] }));
      form.set('file', new Blob([Buffer.alloc(bytes)]), 'big.png');
      return fetch(`${jobs.url}/v1/jobs`, { method: 'POST', headers: auth(), body: form }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    };
    expect(await upload('image.transform', jobs.config.IMAGE_MAX_BYTES + 1)).toMatchObject({ status: 413, body: { code: 'JOBS.UPLOAD_TOO_LARGE' } });
    expect(await upload('echo', 10)).toMatchObject({ status: 422, body: { code: 'JOBS.UPLOAD_NOT_ACCEPTED' } });

    const submit = (input: unknown) => jobs.request('POST', '/v1/jobs', { token: client.key, body: { type: 'image.transform', input } });
    const faked = await submit({ upload: { bytes: 10, sha256: 'a'.repeat(64) }, operations: [{ op: 'grayscale' }] });
    expect(faked.status).toBe(400);
    expect(faked.body.errors).toEqual([expect.objectContaining({ field: 'input.upload' })]);
    const invalid = await submit({ imageUrl: images.url('/photo.png'), operations: [{ op: 'thumbnail', size: 0 }, { op: 'format', format: 'gif' }] });
    expect(invalid.status).toBe(400);
    expect((invalid.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['input.operations.0.size', 'input.operations.1.format']);
    for (const imageUrl of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.5/a.png', 'http://[fd00:ec2::254]/']) {
      const refused = await submit({ imageUrl, operations: [{ op: 'grayscale' }] });
      expect({ imageUrl, status: refused.status, errors: refused.body.errors }).toEqual({ imageUrl, status: 400, errors: [expect.objectContaining({ field: 'input.imageUrl' })] });
    }
  });

  it.each([
    ['a redirect to 127.0.0.1', '/redirect-to-loopback', 'JOBS.IMAGE_FETCH_REFUSED'],
    ['a 50 MB body', '/huge.png', 'JOBS.IMAGE_TOO_LARGE'],
    ['a 30000x30000 PNG', '/bomb.png', 'JOBS.IMAGE_TOO_MANY_PIXELS'],
    ['text served as an image', '/text', 'JOBS.IMAGE_UNDECODABLE'],
    ['a 404 from the source', '/missing.png', 'JOBS.IMAGE_FETCH_FAILED'],
  ])('fails a job for good on %s, with %s, and stores no result', async (_, path, code) => {
    const failed = await runInserted({ imageUrl: images.url(path), operations: THUMBNAIL_TO_WEBP }, 'failed');
    expect(failed).toMatchObject({ error_code: code, attempts: 1, result: null });
  });

  it('retries a job whose source answered 503, and succeeds once the source recovers', async () => {
    const done = await runInserted({ imageUrl: images.url('/flaky.png'), operations: THUMBNAIL_TO_WEBP }, 'succeeded');
    expect(done).toMatchObject({ attempts: 2, error_code: null, result: { format: 'webp', width: 100, height: 50 } });
  });

  it('stops a running image job when it is canceled, and stores no result', async () => {
    // given a job whose image source holds the download open
    const submitted = await jobs.request('POST', '/v1/jobs', {
      token: client.key,
      body: { type: 'image.transform', input: { imageUrl: images.url('/held.png'), operations: THUMBNAIL_TO_WEBP } },
    });
    const id = submitted.body.id as string;
    await jobs.publish(reservation({ id, userId: client.userId }));
    await untilStatus(jobs.sql, id, 'running');
    await waitFor(() => held.arrived, { description: 'the download to start' });

    // when
    const canceled = await jobs.request('POST', `/v1/jobs/${id}/cancel`, { token: client.key });

    // then the download is dropped and nothing is stored
    expect(canceled.status).toBe(200);
    await waitFor(() => images.closed.includes('/held.png'), { description: 'the worker to drop the download' });
    expect(await jobState(jobs.sql, id)).toMatchObject({ status: 'canceled', result: null });
    expect(await jobs.sql(`SELECT 1 FROM jobs.blobs WHERE job_id = $1`, [id])).toHaveLength(0);
    expect((await outboxEvents(jobs.sql, id)).map((event) => event.type)).not.toContain('jobs.job.succeeded.v1');
    expect((await jobs.request('GET', `/v1/jobs/${id}/result`, { token: client.key })).body).toMatchObject({
      code: 'JOBS.RESULT_NOT_READY',
      status: 409,
    });
  });

  it('answers a JSON result (echo) as JSON from the result route', async () => {
    const job = await insertPendingJob(jobs.sql, { userId: client.userId, input: { hello: 'world' } });
    await jobs.publish(reservation(job));
    await untilStatus(jobs.sql, job.id, 'succeeded');
    const answer = await jobs.request('GET', `/v1/jobs/${job.id}/result`, { token: client.key });
    expect(answer).toMatchObject({ status: 200, body: { hello: 'world' } });
    expect(answer.contentType).toContain('application/json');
  });

  describe('recording a file result', () => {
    let dataSource: DataSource;
    let blobs: PgBlobStore;
    let finisher: JobFinisher;
    let results: JobResults;

    beforeAll(async () => {
      dataSource = new DataSource(dataSourceOptions({ url: jobs.config.DATABASE_URL, schema: 'jobs', poolSize: 2 }));
      await dataSource.initialize();
      blobs = new PgBlobStore(dataSource);
      finisher = new JobFinisher(dataSource, new OutboxWriter('jobs'));
      results = new JobResults({ blobs, links: new ResultLinks('k'.repeat(32), 60) });
    });

    afterAll(() => dataSource?.destroy());

    /** A job some worker is running at `attempts`, as the claim leaves it. */
    async function runningJob(attempts: number): Promise<JobRow> {
      const [row] = await jobs.sql<JobRow>(
        `INSERT INTO jobs.jobs (id, user_id, type, input, status, attempts, queued_at, started_at)
         VALUES ($1, $2, 'image.transform', '{}', 'running', $3, now(), now()) RETURNING ${JOB_ROW_COLUMNS('jobs')}`,
        [randomUUID(), randomUUID(), attempts],
      );
      return row;
    }

    it('stores the file only with the success of the run still holding the job, and streams it back in slices', async () => {
      // given a job now at its second attempt, and a file result of 100 KB
      const job = await runningJob(2);
      const file = new FileResult(randomBytes(100_000), 'image/webp', { format: 'webp', width: 1, height: 1 });
      const stored = () => jobs.sql(`SELECT 1 FROM jobs.blobs WHERE job_id = $1`, [job.id]);
      const storable = results.prepare(job.id, file);
      if (!storable) throw new Error('a file result is storable when there is a blob store');

      // when the first, superseded run reports: nothing is written
      expect(await finisher.succeed({ ...job, attempts: 1 }, storable)).toBe(false);
      expect(await stored()).toHaveLength(0);

      // when the current run reports: the job, its file and its event commit together
      expect(await finisher.succeed(job, storable)).toBe(true);
      expect(await stored()).toHaveLength(1);
      expect(await jobState(jobs.sql, job.id)).toMatchObject({ status: 'succeeded', result: { format: 'webp', bytes: 100_000 } });

      // then the file reads back whole from slices of any size
      const slices: Buffer[] = [];
      for await (const slice of blobs.chunks({ jobId: job.id, purpose: 'result' }, 30_000)) slices.push(slice);
      expect(slices.map((slice) => slice.length)).toEqual([30_000, 30_000, 30_000, 10_000]);
      expect(Buffer.concat(slices).equals(file.data)).toBe(true);
    });
  });
});
