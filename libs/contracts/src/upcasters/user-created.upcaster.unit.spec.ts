import { parseEvent } from '../validation/parse-event';
import { legacyRoutingKeysFor } from './upcasters';

const legacyBody = {
  id: '5A1F3C2E-9B8D-4E7F-A6C5-B4D3E2F1A0B9',
  email: 'Grace.Hopper@Example.COM',
  name: 'Grace Hopper',
  createdAt: '2019-03-04T10:20:30Z',
};

describe('the legacy user.created upcaster', () => {
  it('turns a user.created body into a valid auth.user.registered.v1 event', () => {
    const parsed = parseEvent(legacyBody, 'user.created');

    expect(parsed).toEqual({
      ok: true,
      upcastFrom: 'user.created',
      event: {
        specversion: '1.0',
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5/),
        source: '/legacy/monolith',
        type: 'auth.user.registered.v1',
        time: '2019-03-04T10:20:30Z',
        subject: '5a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9',
        datacontenttype: 'application/json',
        data: {
          userId: '5a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9',
          email: 'grace.hopper@example.com',
          name: 'Grace Hopper',
          registeredAt: '2019-03-04T10:20:30Z',
        },
      },
    });
  });

  it('gives a redelivered message the same event id, so the inbox drops the duplicate', () => {
    const first = parseEvent({ ...legacyBody }, 'user.created');
    const second = parseEvent({ ...legacyBody, id: legacyBody.id.toLowerCase() }, 'user.created');
    const other = parseEvent({ ...legacyBody, id: '6b2a4d3f-0c9e-4f8a-b7d6-c5e4f3a2b1c0' }, 'user.created');

    if (!first.ok || !second.ok || !other.ok) throw new Error('expected every legacy message to upcast');
    expect(second.event.id).toBe(first.event.id);
    expect(other.event.id).not.toBe(first.event.id);
  });

  it.each([{}, { name: null }])('records a missing or null name as null (%p)', (name) => {
    const { name: _name, ...withoutName } = legacyBody;

    const parsed = parseEvent({ ...withoutName, ...name }, 'user.created');

    expect(parsed.ok && parsed.event.data).toMatchObject({ name: null });
  });

  it('ignores fields the monolith added that the contract does not carry', () => {
    const parsed = parseEvent({ ...legacyBody, plan: 'basic' }, 'user.created');

    expect(parsed.ok && parsed.event.data).not.toHaveProperty('plan');
  });

  it.each([
    [{ ...legacyBody, id: 'user-7' }, '/id: must match format uuid'],
    [{ ...legacyBody, email: 'nobody' }, '/email: must match format email'],
    [{ ...legacyBody, createdAt: 'yesterday' }, '/createdAt: must match format date-time'],
    [{ ...legacyBody, name: 7 }, '/name: must be string or null'],
  ])('rejects a malformed legacy body %#', (body, issue) => {
    expect(parseEvent(body, 'user.created')).toEqual({
      ok: false,
      reason: `cannot upcast legacy user.created message: ${issue}`,
    });
  });

  it('rejects a legacy name longer than the contract allows', () => {
    expect(parseEvent({ ...legacyBody, name: 'x'.repeat(201) }, 'user.created')).toEqual({
      ok: false,
      reason: 'cannot upcast legacy user.created message: /data/name: must be at most 200 characters',
    });
  });

  it('does not upcast a plain body that arrived under another routing key', () => {
    const parsed = parseEvent(legacyBody, 'users.user.updated.v1');

    expect(parsed.ok).toBe(false);
  });

  it('tells consumers of auth.user.registered.v1 to bind the legacy routing key too', () => {
    expect(legacyRoutingKeysFor('auth.user.registered.v1')).toEqual(['user.created']);
    expect(legacyRoutingKeysFor('jobs.job.submitted.v1')).toEqual([]);
  });
});
