import fc from 'fast-check';

/** Probes that would change or read other rows if a string ever reached SQL unparameterised. */
export const SQL_INJECTION_PROBES = [
  "' OR '1'='1",
  "'; DROP TABLE outbox; --",
  "1; DELETE FROM inbox WHERE true; --",
  "' UNION SELECT table_name, null FROM information_schema.tables --",
  '" OR ""="',
  "'); TRUNCATE migrations CASCADE; --",
  "\\'; SELECT pg_sleep(5); --",
  "$$; DROP SCHEMA public CASCADE; $$",
  "%' AND 1=1 --",
  "00000000-0000-0000-0000-000000000000' OR 'a'='a",
] as const;

/** Text that trips over normalisation, direction, width or storage (NUL, unpaired surrogates). */
export const UNICODE_EDGE_CASES = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202Eevil\u202C',
  '\u200B\u200C\u200D\uFEFF',
  'İıſK',
  'e\u0301 é',
  '𝕏🎉👩‍👩‍👧‍👦🏳️‍🌈',
  'Ω Ω Ω',
  '\r\n\t\v\f',
  '﷽',
  '\u{10FFFF}',
  'ＡＢＣ',
  '../../etc/passwd',
  '%00%2e%2e%2f',
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
] as const;

export const INVALID_UUIDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000',
  '00000000-0000-0000-0000-0000000000000',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '{00000000-0000-0000-0000-000000000000}',
  '0',
  '-1',
  '1e309',
  'null',
  'undefined',
  ' 00000000-0000-0000-0000-000000000000',
] as const;

/** Strings worth sending where a string is expected. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SQL_INJECTION_PROBES), weight: 3 },
  { arbitrary: fc.constantFrom(...UNICODE_EDGE_CASES), weight: 3 },
  { arbitrary: fc.constantFrom(...INVALID_UUIDS), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.constantFrom(5_000, 70_000, 300_000).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** Numbers JSON can carry that code often does not expect. */
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-7, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, with the nasty cases over-represented. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString.filter((k) => k.length < 200), tie('value'), { maxKeys: 4 }),
    fc.constantFrom(10_000, 100_000).map((n) => new Array<number>(n).fill(0)),
    fc.constant({ __proto__: { admin: true }, constructor: { prototype: { admin: true } } }),
  ),
})).value;

/** A body text nested `depth` levels deep, too deep for naive recursion. */
export function deeplyNested(depth: number, open = '{"a":', close = '}'): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** Bodies that are not valid JSON, or are JSON in ways parsers disagree about. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":}',
    '{"a":1,}',
    "{'a':1}",
    '[1,2',
    'nul',
    'NaN',
    '{"a":1}{"b":2}',
    '\uFEFF{"a":1}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '{"__proto__":{"admin":true}}',
    '{"a":1,"a":2}',
    '1e999999',
    '"just a string"',
    '12345',
    'true',
    'null',
    '[]',
  ),
  fc.constantFrom(2_000, 20_000, 200_000).map((depth) => deeplyNested(depth)),
  fc.constantFrom(2_000, 100_000).map((depth) => deeplyNested(depth, '[', ']')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
