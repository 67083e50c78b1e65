import type { EventEnvelope } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { waitFor } from '@conveyor/testing';
import { DataSource } from 'typeorm';
import { claimDueAttempts, handBack, type ClaimedAttempt, type ClaimLimits } from '../src/delivery/claim-deliveries';
import { DeliveryWorker } from '../src/delivery/delivery-worker';
import { createEndpoint, newClient, startWebhooks, type WebhooksUnderTest } from './webhook-spec-support';

/**
 * Attempts whose outcome is never recorded (the worker died, or took longer than its lease).
 * The service's own worker is stopped; the spec claims through claimDueAttempts itself, as a
 * worker that never records an outcome would, on the real database.
 */
describe('lost delivery attempts (real Postgres)', () => {
  let webhooks: WebhooksUnderTest;
  let dataSource: DataSource;
  let outbox: OutboxWriter;
  const receiverUrl = 'http://127.0.0.1:9/hook';

  beforeAll(async () => {
    webhooks = await startWebhooks();
    await webhooks.app.get(DeliveryWorker).stop();
    dataSource = webhooks.app.get(DataSource);
    outbox = webhooks.app.get(OutboxWriter);
  });
  afterAll(async () => {
    await webhooks?.close();
  });

  /** A new endpoint with one test message to it. */
  const queueMessage = async () => {
    const client = await newClient();
    const endpoint = await createEndpoint(webhooks, client, { url: receiverUrl });
    const reply = await webhooks.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, { token: client.token });
    expect(reply.status).toBe(202);
    return endpoint.id;
  };

  const deadWorker = (schedule: number[], holder: string): ClaimLimits => ({
    free: 10,
    perEndpoint: 4,
    leaseSeconds: 1,
    holder,
    schedule,
    jittered: (ms) => ms,
  });

  /** Claims (and never finishes) until an attempt to the endpoint is claimed; the number of empty claims before it. */
  const claimNext = async (endpointId: string, limits: ClaimLimits, timeoutMs = 15_000) => {
    let empty = 0;
    const attempt = await waitFor(
      async () => {
        const claimed = (await claimDueAttempts(dataSource, outbox, limits)).filter((a) => a.endpointId === endpointId);
        if (claimed.length === 0) empty++;
        return claimed[0];
      },
      { description: `an attempt to ${endpointId} to be claimed`, timeoutMs, intervalMs: 50 },
    );
    return { attempt: attempt as ClaimedAttempt, empty };
  };

  const deliveryOf = async (endpointId: string) => {
    const [row] = await webhooks.sql<{
      id: string;
      message_id: string;
      status: string;
      attempts: number;
      round_attempts: number;
      next_attempt_at: Date;
      lease_expires_at: Date | null;
      last_error: string | null;
    }>(
      `SELECT id, message_id, status, attempts, round_attempts, next_attempt_at, lease_expires_at, last_error
         FROM webhooks.deliveries WHERE endpoint_id = $1`,
      [endpointId],
    );
    return row;
  };

  const attemptsOf = (deliveryId: string) =>
    webhooks.sql<{ number: number; outcome: string | null; started_at: Date; finished_at: Date | null }>(
      `SELECT number, outcome, started_at, finished_at FROM webhooks.attempts WHERE delivery_id = $1 ORDER BY number`,
      [deliveryId],
    );

  it('claims an attempt whose lease ran out without an outcome only after the backoff, and marks it lost', async () => {
    // given an attempt claimed by a worker that never records its outcome
    const endpointId = await queueMessage();
    const limits = deadWorker([0, 1_500, 3_000], 'dead-worker-1');
    const { attempt: first } = await claimNext(endpointId, limits);
    expect(first.roundAttempts).toBe(1);
    const leased = await deliveryOf(endpointId);
    const leaseEnd = leased.lease_expires_at?.getTime() ?? NaN;
    // the claim already made it due at lease expiry plus the schedule's next delay
    expect(leased.next_attempt_at.getTime() - leaseEnd).toBe(1_500);

    // when claims keep coming
    const { attempt: second, empty } = await claimNext(endpointId, limits);

    // then the next attempt started only after the lease and the backoff, and the first one is lost
    expect(second).toMatchObject({ deliveryId: first.deliveryId, number: 2, roundAttempts: 2 });
    expect(empty).toBeGreaterThan(0);
    const attempts = await attemptsOf(first.deliveryId);
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'lost'],
      [2, null],
    ]);
    expect(attempts[1].started_at.getTime()).toBeGreaterThanOrEqual(leaseEnd + 1_500);
    const released = await deliveryOf(endpointId);
    expect(released.next_attempt_at.getTime() - (released.lease_expires_at?.getTime() ?? NaN)).toBe(3_000);
  });

  it('exhausts a delivery whose attempts are all lost only when the schedule is used up, with one exhausted event', async () => {
    // given a three-attempt schedule and a worker that never records an outcome
    const endpointId = await queueMessage();
    const limits = deadWorker([0, 400, 800], 'dead-worker-2');

    // when it claims whatever is due for a while
    const { attempt: first } = await claimNext(endpointId, limits);
    const deliveryId = first.deliveryId;
    const exhausted = await waitFor(
      async () => {
        await claimDueAttempts(dataSource, outbox, limits);
        const delivery = await deliveryOf(endpointId);
        return delivery.status === 'exhausted' && delivery;
      },
      { description: 'the delivery to be exhausted', timeoutMs: 20_000, intervalMs: 50 },
    );

    // then three attempts were made, each after the lease and the schedule's delay, all lost
    expect(exhausted).toMatchObject({ attempts: 3, round_attempts: 3, lease_expires_at: null });
    expect(exhausted.last_error).toMatch(/did not record the outcome before its lease ran out/);
    const attempts = await attemptsOf(deliveryId);
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'lost'],
      [2, 'lost'],
      [3, 'lost'],
    ]);
    const starts = attempts.map((a) => a.started_at.getTime());
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(1_000 + 400);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(1_000 + 800);
    expect(attempts[2].finished_at?.getTime()).toBeGreaterThanOrEqual(starts[2] + 1_000);
    const events = (
      await webhooks.sql<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM webhooks.outbox WHERE event_type = 'webhooks.delivery.exhausted.v1' AND envelope->>'subject' = $1`,
        [exhausted.message_id],
      )
    ).map((r) => r.envelope);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ endpointId, attempts: 3, lastStatusCode: null, lastError: exhausted.last_error });

    // and nothing claims it again
    expect((await claimDueAttempts(dataSource, outbox, limits)).filter((a) => a.deliveryId === deliveryId)).toEqual([]);
  });

  it('lets another worker claim a delivery handed back on stop at once, without counting the attempt', async () => {
    // given an attempt claimed under a schedule whose next delay is a minute
    const endpointId = await queueMessage();
    const stopping = deadWorker([0, 60_000], 'stopping-worker');
    const { attempt } = await claimNext(endpointId, stopping);

    // when the stopping worker hands it back
    await handBack(dataSource, attempt, 'stopping-worker');

    // then another worker claims it at once (well within the minute), in the same place in the schedule
    const { attempt: again } = await claimNext(endpointId, deadWorker([0, 60_000], 'other-worker'), 20_000);
    expect(again).toMatchObject({ deliveryId: attempt.deliveryId, number: 2, roundAttempts: 1 });
    expect((await attemptsOf(attempt.deliveryId)).map((a) => [a.number, a.outcome])).toEqual([
      [1, 'lost'],
      [2, null],
    ]);
  });
});
