import {
  createEvent,
  JobCanceledV1,
  JobFailedV1,
  JobRejectedV1,
  JobSubmittedV1,
  JobSucceededV1,
  UserRegisteredV1,
  type EventEnvelope,
} from '@conveyor/contracts';
import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor } from '@conveyor/testing';
import { Attr } from '@conveyor/tracing';
import { randomUUID } from 'node:crypto';
import type { BillingConfig } from '../src/billing.config';
import { billingService } from '../src/billing.definition';

/** The billing service running in this process, with a publisher into its namespace. */
export interface BillingUnderTest {
  service: ServiceUnderTest<BillingConfig>;
  publish(...events: EventEnvelope[]): Promise<void>;
  /** How each delivery of the event ended so far: APPLIED, ALREADY_PROCESSED or FAILED (retried). */
  deliveriesOf(eventId: string): string[];
  /** Waits until the event has been delivered `count` times. */
  delivered(eventId: string, count?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The payment processor would otherwise wait for a second between passes and retries. */
const FAST_PAYMENTS = {
  PAYMENT_SIMULATED_LATENCY_MS: '0',
  PAYMENT_SIMULATED_FAILURE_RATE: '0',
  PAYMENT_POLL_INTERVAL_MS: '50',
  PAYMENT_RETRY_BASE_MS: '20',
  PAYMENT_RETRY_MAX_MS: '200',
};

export async function startBilling(env: Record<string, string> = {}): Promise<BillingUnderTest> {
  // The consumer's spans say how each delivery ended, which the database alone cannot show.
  const tracing = startInMemoryTracing();
  const service = await startServiceUnderTest(billingService, { ...FAST_PAYMENTS, ...env });
  const deliveriesOf = (eventId: string) =>
    tracing
      .spans()
      .filter((span) => span.attributes[Attr.messagingMessageId] === eventId)
      .map((span) => String(span.attributes[Attr.inboxOutcome] ?? 'FAILED'));
  return {
    service,
    publish: async (...events) => {
      await Promise.all(events.map((event) => service.publish(event)));
    },
    deliveriesOf,
    delivered: (eventId, count = 1) =>
      waitFor(() => deliveriesOf(eventId).length >= count && deliveriesOf(eventId), {
        description: `${count} deliveries of event ${eventId}`,
      }),
    async close() {
      await service.close();
      await tracing.shutdown();
    },
  };
}

/** An access token as auth signs them. */
export const tokenFor = (userId: string, roles: string[] = ['user']) => signAccessToken({ userId, roles });

export const adminToken = () => tokenFor(randomUUID(), ['user', 'admin']);

export const registration = (userId: string = randomUUID()) =>
  createEvent(UserRegisteredV1, {
    source: '/conveyor/auth',
    subject: userId,
    data: { userId, email: `${userId}@example.com`, name: null, registeredAt: new Date().toISOString() },
  });

/** What every job event says about its job. */
export interface JobRef {
  jobId: string;
  userId: string;
  type?: string;
}

const facts = ({ jobId, userId, type = 'echo' }: JobRef) => ({
  jobId,
  userId,
  type,
  metadata: {},
  webhookUrl: null,
  submittedAt: '2025-01-15T09:32:00.000Z',
});
const fromJobs = { source: '/conveyor/jobs' };
const at = '2025-01-15T09:33:00.000Z';

export const jobEvents = {
  submitted: (job: JobRef) => createEvent(JobSubmittedV1, { ...fromJobs, subject: job.jobId, data: facts(job) }),
  succeeded: (job: JobRef) =>
    createEvent(JobSucceededV1, {
      ...fromJobs,
      subject: job.jobId,
      data: {
        ...facts(job),
        status: 'succeeded',
        startedAt: at,
        finishedAt: at,
        result: null,
        resultUrl: `/v1/jobs/${job.jobId}/result`,
      },
    }),
  failed: (job: JobRef) =>
    createEvent(JobFailedV1, {
      ...fromJobs,
      subject: job.jobId,
      data: {
        ...facts(job),
        status: 'failed',
        startedAt: at,
        finishedAt: at,
        attempts: 1,
        error: { code: 'JOBS.FAILED', message: 'on purpose' },
      },
    }),
  canceled: (job: JobRef) =>
    createEvent(JobCanceledV1, {
      ...fromJobs,
      subject: job.jobId,
      data: { ...facts(job), status: 'canceled', canceledFrom: 'queued', canceledAt: at },
    }),
  rejected: (job: JobRef) =>
    createEvent(JobRejectedV1, {
      ...fromJobs,
      subject: job.jobId,
      data: { ...facts(job), status: 'rejected', reason: 'insufficient_credits', rejectedAt: at },
    }),
};

/** Publishes a registration and waits until the account is open. */
export async function openAccount(billing: BillingUnderTest, userId: string = randomUUID()): Promise<string> {
  await billing.publish(registration(userId));
  const opened = async () => (await billing.service.sql('SELECT 1 FROM billing.accounts WHERE user_id = $1', [userId])).length === 1;
  await waitFor(opened, { description: `the account of ${userId} to open` });
  return userId;
}

export interface OutboxEvent {
  type: string;
  subject: string;
  data: Record<string, unknown>;
}

/** The events billing has written to its outbox, oldest first, optionally of one type and subject. */
export async function emitted(billing: BillingUnderTest, type?: string, subject?: string): Promise<OutboxEvent[]> {
  const rows = await billing.service.sql<{ envelope: OutboxEvent }>(
    `SELECT envelope FROM billing.outbox
     WHERE ($1::text IS NULL OR event_type = $1) AND ($2::text IS NULL OR envelope->>'subject' = $2) ORDER BY seq`,
    [type ?? null, subject ?? null],
  );
  return rows.map(({ envelope }) => ({ type: envelope.type, subject: envelope.subject, data: envelope.data }));
}

export interface LedgerRow {
  kind: string;
  amount: number;
  held: number;
  job_id: string | null;
  payment_id: string | null;
}

export const ledgerOf = (billing: BillingUnderTest, userId: string) =>
  billing.service.sql<LedgerRow>(
    'SELECT kind, amount, held, job_id, payment_id FROM billing.ledger_entries WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );

/** The cached balances beside the sums of the ledger, for one account. */
export async function balancesOf(billing: BillingUnderTest, userId: string) {
  const [row] = await billing.service.sql<{ available: number; reserved: number; ledger_available: number; ledger_held: number }>(
    `SELECT a.available, a.reserved,
            (SELECT coalesce(sum(amount), 0)::int FROM billing.ledger_entries l WHERE l.user_id = a.user_id) AS ledger_available,
            (SELECT coalesce(sum(held), 0)::int FROM billing.ledger_entries l WHERE l.user_id = a.user_id) AS ledger_held
     FROM billing.accounts a WHERE a.user_id = $1`,
    [userId],
  );
  return row;
}

/** Waits until billing has emitted `count` events of `type` about `subject`, and returns them. */
export const emittedOnce = (billing: BillingUnderTest, type: string, subject: string, count = 1) =>
  waitFor(
    async () => {
      const events = await emitted(billing, type, subject);
      return events.length >= count && events;
    },
    { description: `${count} ${type} about ${subject}` },
  );

/** Asks for a top-up as `userId`, with an Idempotency-Key unless `key` is null. */
export const requestTopUp = async (billing: BillingUnderTest, userId: string, body: unknown, key: string | null = randomUUID()) =>
  billing.service.request('POST', '/v1/billing/top-ups', {
    body,
    token: await tokenFor(userId),
    headers: key === null ? {} : { 'idempotency-key': key },
  });

/** Waits until the top-up has left `pending`, and returns what GET /v1/billing/top-ups/:id says. */
export const settledTopUp = (billing: BillingUnderTest, userId: string, id: string) =>
  waitFor(
    async () => {
      const reply = await billing.service.request('GET', `/v1/billing/top-ups/${id}`, { token: await tokenFor(userId) });
      return reply.status === 200 && reply.body['status'] !== 'pending' && reply.body;
    },
    { description: `top-up ${id} to settle` },
  );
