import { Type } from '@sinclair/typebox';
import { JobMetadata, Timestamp, Uuid } from '../schema-types';

/** What every job event says about its job, so a consumer rarely needs anything else. */
export const jobFacts = {
  jobId: Uuid('Id of the job.'),
  userId: Uuid('Owner of the job.'),
  type: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'Job type, e.g. `echo` or `image.transform`.' }),
  metadata: JobMetadata(),
  webhookUrl: Type.Union([Type.String({ pattern: '^https?://', maxLength: 2048 }), Type.Null()], {
    description: "The job's own webhook URL, if the client gave one.",
  }),
  submittedAt: Timestamp('When the job was accepted by `POST /v1/jobs`.'),
};

export const jobFactsExample = {
  jobId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
  userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
  type: 'echo',
  metadata: { order: '1042' },
  webhookUrl: 'https://hooks.example.com/conveyor',
  submittedAt: '2025-01-15T09:32:00.000Z',
};
