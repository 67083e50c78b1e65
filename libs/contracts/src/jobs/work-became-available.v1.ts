import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Uuid } from '../schema-types';

/**
 * The jobs service's "work available" token: its workers' wake-up, not a fact for other
 * services. It names a client, never a job to run: a worker that receives it runs one claim
 * round for that client, and Postgres decides under the client's lock what may start.
 */
export const WorkBecameAvailableV1 = defineEvent({
  type: 'jobs.work.became_available.v1',
  producer: 'jobs',
  internal: true,
  description:
    'Internal to the jobs service; no other service may consume it. Written in the same transaction that may let one ' +
    "of a client's jobs start (a job was queued, a running job ended and freed a slot, a job that held back later ones " +
    'left `pending`, the plan changed, or a claim filled its worker and may have left more). Jobs workers receive it from ' +
    "the quorum queue `jobs.work` and run one claim round for the client; a token that finds nothing to start is dropped.",
  schema: Type.Object(
    {
      userId: Uuid('The client whose queued jobs may be claimable now.'),
      jobId: Type.Union([Uuid('The job whose change made work available (for tracing and logs).'), Type.Null()]),
      cause: Type.Union(
        [
          Type.Literal('queued'),
          Type.Literal('slot_freed'),
          Type.Literal('order_unblocked'),
          Type.Literal('plan_changed'),
          Type.Literal('more_queued'),
        ],
        { description: 'What made work available.' },
      ),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    jobId: '3d6f0a2b-9c4e-4f1a-8b7d-5e2c1a0f9b34',
    cause: 'queued',
  },
});
