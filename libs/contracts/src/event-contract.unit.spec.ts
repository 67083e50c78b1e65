import { Type } from '@sinclair/typebox';
import { defineEvent } from './event-contract';
import { InvalidEventTypeError } from './validation/invalid-event-type.error';

const definition = (type: string) => ({
  type,
  producer: 'jobs',
  description: 'Emitted in tests.',
  schema: Type.Object({ jobId: Type.String() }),
  example: { jobId: 'j-1' },
});

describe('defineEvent', () => {
  it.each(['jobs.job.succeeded.v1', 'billing.account.plan_changed.v12'])('accepts the type %s', (type) => {
    expect(defineEvent(definition(type)).type).toBe(type);
  });

  it.each([
    'jobs.job.succeeded',
    'jobs.job.succeeded.v0',
    'jobs.job.succeeded.1',
    'Jobs.Job.Succeeded.v1',
    'job.succeeded.v1',
    'jobs.job.succeeded.extra.v1',
    'jobs-job-succeeded-v1',
  ])('rejects the type %s when the contract is defined', (type) => {
    expect(() => defineEvent(definition(type))).toThrow(InvalidEventTypeError);
  });

  it('returns a contract whose schema and example cannot be changed afterwards', () => {
    const contract = defineEvent(definition('jobs.job.succeeded.v1'));

    expect(Object.isFrozen(contract)).toBe(true);
    expect(Object.isFrozen(contract.schema.properties.jobId)).toBe(true);
    expect(Object.isFrozen(contract.example)).toBe(true);
  });
});
