import { captureTraceContext } from '@conveyor/tracing';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { createEvent, JobSubmittedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { RequestValidationError } from '@conveyor/platform';
import { checkOutboundUrl } from '@conveyor/ssrf-guard';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { ClientPrincipal } from '../../api-keys/client-principal';
import type { JobsConfig } from '../../jobs.config';
import { ProcessorRegistry } from '../../processors/processor-registry';
import { jobStatusUrl } from '../job.view';
import { BlobStore } from '../../results/blob-store';
import { UnknownJobTypeError, UploadNotAcceptedError, WebhookUrlRefusedError } from '../jobs.errors';
import type { IdempotencyRequest } from './idempotency-key';
import { IdempotencyKeyStore, type StoredResponse } from './idempotency-key.store';
import type { SubmitJobRequest } from './submit-job.request';
import { jobFacts, JOBS_SOURCE } from '../job-facts';

export interface SubmitJobReply extends StoredResponse {
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** A file sent with the job (`multipart/form-data`), for a processor that `acceptsUpload`. */
export interface JobUpload {
  data: Buffer;
  contentType: string;
}

interface AcceptedJob {
  type: string;
  input: Record<string, unknown>;
  webhookUrl: string | null;
  metadata: Record<string, string>;
  upload?: JobUpload;
}

/** The limit of `webhookUrl` in the job events' contract. */
const MAX_WEBHOOK_URL_LENGTH = 2048;

type WebhookPolicy = Pick<JobsConfig, 'JOBS_ALLOW_HTTP_WEBHOOKS' | 'JOBS_ALLOW_LOOPBACK_WEBHOOKS'>;

/**
 * Accepts a job: checks it fully first (nothing is written for a refused request), then
 * inserts it as `pending` with its `jobs.job.submitted.v1` event in one transaction.
 */
@Injectable()
export class SubmitJobHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly processors: ProcessorRegistry,
    private readonly idempotencyKeys: IdempotencyKeyStore,
    private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: WebhookPolicy,
  ) {}

  /**
   * Everything is checked before the Idempotency-Key is claimed, so a refused request leaves
   * no trace; a retry of an accepted one is checked again before its answer is replayed.
   */
  async execute(
    client: ClientPrincipal,
    request: SubmitJobRequest,
    idempotency?: IdempotencyRequest,
    upload?: JobUpload,
  ): Promise<SubmitJobReply> {
    const job = await this.accept(request, upload);
    const { userId } = client;
    if (!idempotency) {
      const created = await this.dataSource.transaction((manager) => this.insert(manager, userId, job));
      return { ...created, replayed: false };
    }
    const claim = await this.idempotencyKeys.claim(userId, idempotency);
    if (claim.outcome === 'replay') return { ...claim.response, replayed: true };
    try {
      const created = await this.dataSource.transaction(async (manager) => {
        const response = await this.insert(manager, userId, job);
        await this.idempotencyKeys.complete(manager, userId, idempotency.key, claim.claimId, response);
        return response;
      });
      return { ...created, replayed: false };
    } catch (error) {
      await this.idempotencyKeys.release(userId, idempotency.key, claim.claimId);
      throw error;
    }
  }

  private async accept({ type, input: sentInput, webhookUrl, metadata }: SubmitJobRequest, upload?: JobUpload): Promise<AcceptedJob> {
    const processor = this.processors.get(type);
    if (!processor) throw new UnknownJobTypeError(type, this.processors.types());
    const input = processor.acceptsUpload ? withUpload(sentInput, upload) : sentInput;
    if (upload && !processor.acceptsUpload) throw new UploadNotAcceptedError(type);
    const { error } = processor.inputSchema.validate(input, {
      abortEarly: false,
      convert: false,
      errors: { wrap: { label: false } },
    });
    if (error) {
      const fields = error.details.map((d) => ({ field: ['input', ...d.path].join('.'), message: d.message }));
      throw new RequestValidationError(fields);
    }
    processor.checkInput?.(input);
    return {
      type,
      input,
      webhookUrl: webhookUrl === undefined ? null : await this.checkWebhook(webhookUrl),
      metadata: metadata ?? {},
      upload,
    };
  }

  private async checkWebhook(url: string): Promise<string> {
    const check = await checkOutboundUrl(url, {
      allowHttp: this.config.JOBS_ALLOW_HTTP_WEBHOOKS,
      allowLoopback: this.config.JOBS_ALLOW_LOOPBACK_WEBHOOKS,
    });
    if (!check.ok) throw new WebhookUrlRefusedError(check.reason);
    // Stored and sent in events in its normal form, which can be longer (punycode, escapes).
    if (check.url.href.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookUrlRefusedError('the URL is too long');
    return check.url.href;
  }

  private async insert(manager: EntityManager, userId: string, job: AcceptedJob): Promise<StoredResponse> {
    const id = randomUUID();
    const [{ created_at: createdAt }] = await manager.query<{ created_at: Date }[]>(
      `INSERT INTO jobs.jobs (id, user_id, type, input, metadata, webhook_url, status, trace_context)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
       RETURNING created_at`,
      [id, userId, job.type, JSON.stringify(job.input), JSON.stringify(job.metadata), job.webhookUrl, JSON.stringify(captureTraceContext())],
    );
    if (job.upload) await this.blobs.put(manager, { jobId: id, purpose: 'upload' }, job.upload.contentType, job.upload.data);
    await this.outbox.add(
      createEvent(JobSubmittedV1, {
        source: JOBS_SOURCE,
        subject: id,
        data: jobFacts({ id, userId, createdAt, type: job.type, metadata: job.metadata, webhookUrl: job.webhookUrl }),
      }),
      manager,
    );
    const statusUrl = jobStatusUrl(id);
    return {
      status: 202,
      headers: { Location: statusUrl },
      body: { id, status: 'pending', statusUrl, createdAt: createdAt.toISOString() },
    };
  }
}

/**
 * `input.upload` describes the stored file; only the service writes it, so a client cannot
 * point a job at a file it did not send.
 */
function withUpload(input: Record<string, unknown>, upload: JobUpload | undefined): Record<string, unknown> {
  if (!upload) {
    if (input.upload === undefined) return input;
    throw new RequestValidationError([
      { field: 'input.upload', message: 'is set by the service; send the file as multipart/form-data instead' },
    ]);
  }
  const sha256 = createHash('sha256').update(upload.data).digest('hex');
  return { ...input, upload: { bytes: upload.data.length, sha256 } };
}
