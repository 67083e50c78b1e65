import { InvalidIdempotencyKeyError } from '../jobs.errors';
import { canonicalJson, idempotencyOf } from './idempotency-key';

describe('Idempotency-Key', () => {
  it('is absent without the header', () => {
    expect(idempotencyOf(undefined, { type: 'echo' })).toBeUndefined();
  });

  it('gives the same fingerprint to the same body in any key order, at any depth', () => {
    // given
    const body = { type: 'echo', input: { b: [1, { y: 2, x: 1 }], a: null }, metadata: { z: '1', a: '2' } };
    const reordered = { metadata: { a: '2', z: '1' }, input: { a: null, b: [1, { x: 1, y: 2 }] }, type: 'echo' };

    // when / then
    expect(idempotencyOf('k', body)?.fingerprint).toBe(idempotencyOf('k', reordered)?.fingerprint);
    expect(canonicalJson(reordered)).toBe('{"input":{"a":null,"b":[1,{"x":1,"y":2}]},"metadata":{"a":"2","z":"1"},"type":"echo"}');
  });

  it('gives different bodies different fingerprints, array order included', () => {
    const fingerprint = (body: unknown) => idempotencyOf('k', body)?.fingerprint;

    expect(fingerprint({ input: { list: [1, 2] } })).not.toBe(fingerprint({ input: { list: [2, 1] } }));
    expect(fingerprint({ input: { n: 1 } })).not.toBe(fingerprint({ input: { n: '1' } }));
  });

  it.each([['a'], ['order-1042'], ['k'.repeat(255)], ['with spaces and !"#$%&()*+,-./:;<=>?@[]^_`{|}~']])(
    'accepts %p',
    (key) => {
      expect(idempotencyOf(key, {})?.key).toBe(key);
    },
  );

  it.each([[''], ['k'.repeat(256)], ['clé'], ['tab\there'], ['line\nbreak'], ['emoji 🙂']])('refuses %p', (key) => {
    expect(() => idempotencyOf(key, {})).toThrow(InvalidIdempotencyKeyError);
  });
});
