import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobSubmittedV1 = defineEvent({
  type: 'jobs.job.submitted.v1',
  producer: 'jobs',
  description: 'Emitted when `POST /v1/jobs` accepts a job (status `pending`); billing answers with a reservation or a rejection.',
  schema: Type.Object({ ...jobFacts }, { additionalProperties: false }),
  example: { ...jobFactsExample },
});
