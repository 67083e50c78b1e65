import { UserRegisteredV1 } from '../auth/user-registered.v1';
import type { EventData } from '../event-contract';
import { createEvent } from './create-event';
import { InvalidEventError } from './invalid-event.error';

const data: EventData<typeof UserRegisteredV1> = {
  userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  registeredAt: '2025-01-15T09:30:00.000Z',
};
const input = { source: '/conveyor/auth', subject: data.userId, data };

function issuesOf(create: () => unknown): string[] {
  try {
    create();
  } catch (error) {
    if (error instanceof InvalidEventError) return error.issues;
    throw error;
  }
  throw new Error('expected createEvent to reject the event');
}

describe('createEvent', () => {
  it('wraps valid data in a CloudEvents envelope with a fresh id and the current time', () => {
    const before = Date.now();

    const event = createEvent(UserRegisteredV1, input);

    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: '/conveyor/auth',
      type: 'auth.user.registered.v1',
      time: expect.any(String),
      subject: data.userId,
      datacontenttype: 'application/json',
      data,
    });
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(before);
    expect(createEvent(UserRegisteredV1, input).id).not.toBe(event.id);
  });

  it('keeps the id, time and trace context it is given', () => {
    const event = createEvent(UserRegisteredV1, {
      ...input,
      id: 'c3d1a0b2-8f5e-4c6d-9a7b-1e2f3a4b5c6d',
      time: '2025-01-15T09:30:01.000Z',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
    });

    expect(event).toMatchObject({
      id: 'c3d1a0b2-8f5e-4c6d-9a7b-1e2f3a4b5c6d',
      time: '2025-01-15T09:30:01.000Z',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
    });
  });

  it('rejects data that does not fit the contract, naming each problem', () => {
    const bad = { ...data, email: 'not-an-email', name: 'x'.repeat(201), nickname: 'ada' };

    const issues = issuesOf(() => createEvent(UserRegisteredV1, { ...input, data: bad }));

    expect(issues).toEqual(
      expect.arrayContaining([
        '/data/email: must match format email',
        '/data/name: must be at most 200 characters',
        '/data/nickname: is not allowed',
      ]),
    );
  });

  it('rejects data with a missing field or a field of the wrong kind', () => {
    const { registeredAt: _omitted, ...withoutDate } = data;

    expect(issuesOf(() => createEvent(UserRegisteredV1, { ...input, data: withoutDate as typeof data }))).toEqual([
      '/data/registeredAt: is required',
    ]);
    expect(issuesOf(() => createEvent(UserRegisteredV1, { ...input, data: { ...data, name: 42 as never } }))).toEqual([
      '/data/name: must be string or null',
    ]);
  });

  it('rejects an email that was not normalised to lower case', () => {
    const mixedCase = { ...data, email: 'Ada@Example.com' };

    expect(issuesOf(() => createEvent(UserRegisteredV1, { ...input, data: mixedCase }))).toEqual([
      '/data/email: must match pattern ^[^A-Z]*$',
    ]);
  });

  it('rejects an envelope without a source or with a malformed id, with a stable error code', () => {
    let thrown: unknown;
    try {
      createEvent(UserRegisteredV1, { ...input, source: '', id: 'event-1' });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect(thrown).toMatchObject({
      code: 'CONTRACTS.INVALID_EVENT',
      type: 'auth.user.registered.v1',
      issues: ['/id: must match format uuid', '/source: must not be empty'],
    });
  });
});
