import { Type, type TSchema } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { checkLock, fingerprintSchema } from './contracts-lock';

const contract = (type: string, schema: TSchema = Type.Object({ jobId: Type.String() })) =>
  defineEvent({ type, producer: 'jobs', description: 'Emitted in tests.', schema, example: { jobId: 'j-1' } });

describe('checkLock', () => {
  const submitted = contract('jobs.job.submitted.v1');
  const locked = { 'jobs.job.submitted.v1': fingerprintSchema(submitted.schema) };

  it('adds a new contract to the lock and keeps the published ones', () => {
    const started = contract('jobs.job.started.v1');

    const check = checkLock(locked, [submitted, started]);

    expect(check).toEqual({
      next: { ...locked, 'jobs.job.started.v1': fingerprintSchema(started.schema) },
      added: ['jobs.job.started.v1'],
      changed: [],
      removed: [],
    });
  });

  it('flags a published contract whose data schema changed', () => {
    const reshaped = contract('jobs.job.submitted.v1', Type.Object({ jobId: Type.String(), extra: Type.String() }));

    expect(checkLock(locked, [reshaped]).changed).toEqual(['jobs.job.submitted.v1']);
  });

  it('flags a published contract that was removed', () => {
    expect(checkLock(locked, []).removed).toEqual(['jobs.job.submitted.v1']);
  });

  it('gives the same fingerprint whatever order the properties are declared in', () => {
    const declared = Type.Object({ jobId: Type.String({ format: 'uuid', minLength: 1 }), userId: Type.String() });
    const reordered = Type.Object({ userId: Type.String(), jobId: Type.String({ minLength: 1, format: 'uuid' }) });

    expect(fingerprintSchema(reordered)).toBe(fingerprintSchema(declared));
  });

  it('gives a different fingerprint when a constraint changes', () => {
    const before = Type.Object({ name: Type.String({ maxLength: 200 }) });
    const after = Type.Object({ name: Type.String({ maxLength: 100 }) });

    expect(fingerprintSchema(after)).not.toBe(fingerprintSchema(before));
  });
});
