import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { planChange, untilApplied } from './job-processing.fixtures';

jest.setTimeout(30_000);

describe('plans projected from billing (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    // The consumer's spans say how each delivery ended (applied, or skipped by the inbox).
    tracing = startInMemoryTracing();
    jobs = await startServiceUnderTest(jobsService);
  });

  afterAll(async () => {
    await jobs?.close();
    await tracing?.shutdown();
  });


  const planOf = async (userId: string) =>
    (await jobs.sql('SELECT plan, max_concurrent_jobs, revision FROM jobs.plans WHERE user_id = $1', [userId]))[0];

  it("records a client's plan and replaces it with a newer revision", async () => {
    const userId = randomUUID();

    const opened = planChange(userId, 'basic', 1, 1);
    await jobs.publish(opened);
    await untilApplied(jobs.sql, opened.id);
    expect(await planOf(userId)).toEqual({ plan: 'basic', max_concurrent_jobs: 1, revision: 1 });

    const upgraded = planChange(userId, 'pro', 5, 2);
    await jobs.publish(upgraded);
    await untilApplied(jobs.sql, upgraded.id);
    expect(await planOf(userId)).toEqual({ plan: 'pro', max_concurrent_jobs: 5, revision: 2 });
  });

  it('keeps the newest plan when an older change arrives late', async () => {
    // given the upgrade (revision 2) has been applied
    const userId = randomUUID();
    const upgraded = planChange(userId, 'pro', 5, 2);
    await jobs.publish(upgraded);
    await untilApplied(jobs.sql, upgraded.id);

    // when the opening plan (revision 1) arrives after it
    const opened = planChange(userId, 'basic', 1, 1);
    await jobs.publish(opened);
    await untilApplied(jobs.sql, opened.id);

    // then
    expect(await planOf(userId)).toEqual({ plan: 'pro', max_concurrent_jobs: 5, revision: 2 });
  });

  it('applies a plan change delivered twice once', async () => {
    const userId = randomUUID();
    const change = planChange(userId, 'pro', 5, 1);

    await jobs.publish(change);
    await jobs.publish(change);
    await waitFor(() => tracing.inboxOutcomes(change.id).length === 2, { description: 'both deliveries to be handled' });

    expect(tracing.inboxOutcomes(change.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);

    expect(await jobs.sql('SELECT user_id FROM jobs.plans WHERE user_id = $1', [userId])).toHaveLength(1);
    expect(await jobs.sql('SELECT consumer FROM jobs.inbox WHERE event_id = $1', [change.id])).toEqual([{ consumer: 'jobs' }]);
  });
});
