import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobSucceededV1 = defineEvent({
  type: 'jobs.job.succeeded.v1',
  producer: 'jobs',
  description: 'Emitted once when a job finishes successfully (status `succeeded`); billing captures its reservation.',
  schema: Type.Object(
    {
      ...jobFacts,
      status: Type.Literal('succeeded'),
      startedAt: Timestamp('When the successful attempt started.'),
      finishedAt: Timestamp('When it finished.'),
      result: Type.Unknown({ description: 'The result itself when it is small JSON (at most 64 KiB), else null.' }),
      resultUrl: Type.String({ description: 'Where the owner downloads the result (`GET`, authenticated).' }),
    },
    { additionalProperties: false },
  ),
  example: {
    ...jobFactsExample,
    status: 'succeeded' as const,
    startedAt: '2025-01-15T09:32:01.000Z',
    finishedAt: '2025-01-15T09:32:01.020Z',
    result: { hello: 'world' },
    resultUrl: '/v1/jobs/3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a/result',
  },
});
