import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { createEvent, JobSubmittedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { RequestValidationError } from '@conveyor/platform';
import { checkOutboundUrl } from '@conveyor/ssrf-guard';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { ClientPrincipal } from '../../api-keys/client-principal';
import type { JobsConfig } from '../../jobs.config';
import { ProcessorRegistry } from '../../processors/processor-registry';
import { jobStatusUrl } from '../job.view';
import { UnknownJobTypeError, WebhookUrlRefusedError } from '../jobs.errors';
import type { IdempotencyRequest } from './idempotency-key';
import { IdempotencyKeyStore, type StoredResponse } from './idempotency-key.store';
import type { SubmitJobRequest } from './submit-job.request';
import { jobFacts, JOBS_SOURCE } from '../job-facts';

export interface SubmitJobReply extends StoredResponse {
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

interface AcceptedJob {
  type: string;
  input: Record<string, unknown>;
  webhookUrl: string | null;
  metadata: Record<string, string>;
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
    @Inject(APP_CONFIG) private readonly config: WebhookPolicy,
  ) {}

  /**
   * Everything is checked before the Idempotency-Key is claimed, so a refused request leaves
   * no trace; a retry of an accepted one is checked again before its answer is replayed.
   */
  async execute(client: ClientPrincipal, request: SubmitJobRequest, idempotency?: IdempotencyRequest): Promise<SubmitJobReply> {
    const job = await this.accept(request);
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

  private async accept({ type, input, webhookUrl, metadata }: SubmitJobRequest): Promise<AcceptedJob> {
    const processor = this.processors.get(type);
    if (!processor) throw new UnknownJobTypeError(type, this.processors.types());
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
      `INSERT INTO jobs.jobs (id, user_id, type, input, metadata, webhook_url, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending')
       RETURNING created_at`,
      [id, userId, job.type, JSON.stringify(job.input), JSON.stringify(job.metadata), job.webhookUrl],
    );
    await this.outbox.add(
      createEvent(JobSubmittedV1, {
        source: JOBS_SOURCE,
        subject: id,
        data: jobFacts({ id, userId, createdAt, ...job }),
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
