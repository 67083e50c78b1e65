import { randomUUID } from 'node:crypto';
import { abortableSleep, type HttpTransport } from './http-transport';
import { readServerSentEvents } from './sse';
import {
  isTerminal,
  type Job,
  type JobEvent,
  type ListJobsQuery,
  type Page,
  type SubmitJobRequest,
  type SubmittedJob,
  type UploadImageJobRequest,
} from './types';
import { waitForJob, type WaitForJobOptions } from './wait-for-job';

/** `jobs`: submit, read, list, cancel and follow jobs. Takes the API key, or else the session. */
export class JobsClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly baseUrl: string,
  ) {}

  /** Submits a job. Every submit carries an `Idempotency-Key`, so a retried one runs once. */
  submit(request: SubmitJobRequest): Promise<SubmittedJob> {
    const { idempotencyKey = randomUUID(), ...body } = request;
    return this.http.json(`${this.baseUrl}/v1/jobs`, {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      credential: 'apiKeyOrSession',
    });
  }

  /** Submits an `image.transform` job with the image uploaded in the same request (multipart). */
  submitImageUpload(request: UploadImageJobRequest): Promise<SubmittedJob> {
    const { idempotencyKey = randomUUID(), operations, file, filename = 'image', contentType = 'application/octet-stream' } = request;
    const form = new FormData();
    form.set('type', 'image.transform');
    form.set('input', JSON.stringify({ operations }));
    if (request.metadata) form.set('metadata', JSON.stringify(request.metadata));
    if (request.webhookUrl) form.set('webhookUrl', request.webhookUrl);
    form.set('file', file instanceof Blob ? file : new Blob([file], { type: contentType }), filename);
    return this.http.json(`${this.baseUrl}/v1/jobs`, {
      body: form,
      headers: { 'idempotency-key': idempotencyKey },
      credential: 'apiKeyOrSession',
    });
  }

  get<Result = unknown>(id: string, options: { signal?: AbortSignal } = {}): Promise<Job<Result>> {
    return this.http.json(`${this.baseUrl}/v1/jobs/${encodeURIComponent(id)}`, { credential: 'apiKeyOrSession', signal: options.signal });
  }

  list(query: ListJobsQuery = {}): Promise<Page<Job>> {
    return this.http.json(`${this.baseUrl}/v1/jobs`, { query: { ...query }, credential: 'apiKeyOrSession' });
  }

  cancel(id: string): Promise<Job> {
    return this.http.json(`${this.baseUrl}/v1/jobs/${encodeURIComponent(id)}/cancel`, { body: {}, credential: 'apiKeyOrSession' });
  }

  /** The result as the API serves it: the JSON of most jobs, the file of an image job. */
  async result(id: string): Promise<{ contentType: string; body: Uint8Array; json<T = unknown>(): T }> {
    const response = await this.http.send(`${this.baseUrl}/v1/jobs/${encodeURIComponent(id)}/result`, { credential: 'apiKeyOrSession' });
    const body = new Uint8Array(await response.arrayBuffer());
    return {
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      body,
      json: <T>() => JSON.parse(new TextDecoder().decode(body)) as T,
    };
  }

  /**
   * The job's status changes as they happen (SSE): its whole history first, or what came after
   * `lastEventId`; the iteration ends after the final status.
   */
  async *events(id: string, options: { lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<JobEvent> {
    yield* this.stream(`${this.baseUrl}/v1/jobs/${encodeURIComponent(id)}/events`, options);
  }

  /** Every status change of every job of the client, from now on (or after `lastEventId`). Never ends by itself. */
  async *allEvents(options: { lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<JobEvent> {
    yield* this.stream(`${this.baseUrl}/v1/jobs/events`, options);
  }

  private async *stream(url: string, options: { lastEventId?: string; signal?: AbortSignal }): AsyncGenerator<JobEvent> {
    const response = await this.http.send(url, {
      credential: 'apiKeyOrSession',
      headers: { accept: 'text/event-stream', ...(options.lastEventId && { 'last-event-id': options.lastEventId }) },
      signal: options.signal,
    });
    if (!response.body) return;
    for await (const event of readServerSentEvents(response.body)) {
      const data = JSON.parse(event.data) as JobEvent;
      yield { ...data, id: event.id ?? data.id };
    }
  }

  /**
   * Resolves with the job once it is in a final status (succeeded, failed, canceled, rejected;
   * a failed job resolves too, look at `status`). Follows the SSE stream, resuming it with
   * `Last-Event-ID`, and polls instead when streaming is off or keeps failing.
   */
  waitForJob<Result = unknown>(id: string, options: WaitForJobOptions = {}): Promise<Job<Result>> {
    return waitForJob(
      {
        get: (jobId, signal) => this.get<Result>(jobId, { signal }),
        events: (jobId, lastEventId, signal) => this.events(jobId, { lastEventId, signal }),
        sleep: abortableSleep,
      },
      id,
      options,
    );
  }

  static isFinished(job: Pick<Job, 'status'>): boolean {
    return isTerminal(job.status);
  }
}
