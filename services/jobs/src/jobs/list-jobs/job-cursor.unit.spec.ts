import { InvalidCursorError } from '../jobs.errors';
import { decodeCursor, encodeCursor } from './job-cursor';

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('job list cursor', () => {
  it('reads back what it wrote, to the microsecond', () => {
    const cursor = { createdAt: '2025-01-15T09:32:00.123456Z', id: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a' };

    const encoded = encodeCursor(cursor);

    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', 'garbage'],
    ['empty', ''],
    ['JSON that is not an object', encode('[1,2]')],
    ['an object without fields', encode({})],
    ['a bad id', encode({ c: '2025-01-15T09:32:00.123456Z', i: 'nope' })],
    ['a time without microseconds', encode({ c: '2025-01-15T09:32:00.123Z', i: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a' })],
    ['an impossible date', encode({ c: '2025-13-45T09:32:00.123456Z', i: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a' })],
    ['extra fields', encode({ c: '2025-01-15T09:32:00.123456Z', i: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a', x: 1 })],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
