import { UserRegisteredV1 } from '../auth/user-registered.v1';
import { createEvent } from './create-event';
import { isEventOf } from './is-event-of';
import { parseEvent } from './parse-event';

const valid = () =>
  createEvent(UserRegisteredV1, {
    source: '/conveyor/auth',
    subject: UserRegisteredV1.example.userId,
    data: UserRegisteredV1.example,
  });

function reasonFor(raw: unknown, routingKey?: string): string {
  const parsed = parseEvent(raw, routingKey);
  if (parsed.ok) throw new Error('expected parseEvent to reject the message');
  return parsed.reason;
}

describe('parseEvent', () => {
  it('accepts an event made by createEvent, unchanged and not upcast', () => {
    const event = valid();

    const parsed = parseEvent(JSON.parse(JSON.stringify(event)), event.type);

    expect(parsed).toEqual({ ok: true, event });
  });

  it('returns an event that narrows to its contract', () => {
    const parsed = parseEvent(valid());

    if (!parsed.ok || !isEventOf(UserRegisteredV1, parsed.event)) throw new Error('expected a user registered event');
    expect(parsed.event.data.email).toBe('ada@example.com');
  });

  it('accepts CloudEvents extension attributes added on the way', () => {
    expect(parseEvent({ ...valid(), partitionkey: 'p-1' }).ok).toBe(true);
  });

  it.each([null, 42, 'text', [], undefined])('rejects %p because it is not an object', (raw) => {
    expect(reasonFor(raw)).toBe('event is not a JSON object');
  });

  it('rejects an envelope without an id', () => {
    const { id: _id, ...withoutId } = valid();

    expect(reasonFor(withoutId)).toBe('invalid envelope: /id: is required');
  });

  it('rejects an envelope whose id is not a UUID', () => {
    expect(reasonFor({ ...valid(), id: '42' })).toBe('invalid envelope: /id: must match format uuid');
  });

  it('rejects an envelope of another CloudEvents version', () => {
    expect(reasonFor({ ...valid(), specversion: '0.3' })).toBe('invalid envelope: /specversion: must be "1.0"');
  });

  it('rejects an event type that has no contract', () => {
    expect(reasonFor({ ...valid(), type: 'auth.user.vanished.v1' })).toBe('unknown event type "auth.user.vanished.v1"');
  });

  it('rejects data that does not fit the contract of its type', () => {
    const event = valid();

    expect(reasonFor({ ...event, data: { ...event.data, userId: 'u-1' } })).toBe(
      'invalid auth.user.registered.v1 data: /data/userId: must match format uuid',
    );
  });

  it('does not upcast an envelope even when it arrives with a legacy routing key', () => {
    expect(reasonFor({ ...valid(), id: '42' }, 'user.created')).toBe('invalid envelope: /id: must match format uuid');
  });
});
