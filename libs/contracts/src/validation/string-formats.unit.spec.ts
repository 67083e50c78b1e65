import { Type } from '@sinclair/typebox';
import { schemaIssues } from './contract-validator';

const issuesFor = (format: string, value: string) => schemaIssues(Type.String({ format }), value);

describe('string formats', () => {
  it.each(['2025-01-15T09:30:00Z', '2025-01-15T09:30:00.123456+05:30', '2024-02-29t23:59:60z'])(
    'accepts the RFC 3339 date-time %s',
    (value) => {
      expect(issuesFor('date-time', value)).toEqual([]);
    },
  );

  it.each([
    '2025-01-15',
    '2025-01-15 09:30:00Z',
    '2025-02-30T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-01-15T24:00:00Z',
    '2025-01-15T09:30:00+25:00',
  ])('rejects %s as a date-time', (value) => {
    expect(issuesFor('date-time', value)).toEqual(['/: must match format date-time']);
  });

  it.each(['ada@example.com', 'Ada.Lovelace+tag@mail.example.org'])('accepts the email %s', (value) => {
    expect(issuesFor('email', value)).toEqual([]);
  });

  it.each(['ada', 'ada@', 'ada@example', 'a da@example.com', 'ada@@example.com'])('rejects %s as an email', (value) => {
    expect(issuesFor('email', value)).toHaveLength(1);
  });

  it('accepts a UUID in either case and rejects anything else', () => {
    expect(issuesFor('uuid', '0B7E4D3A-6C1F-4A8E-9D52-3F6A1C2B9E70')).toEqual([]);
    expect(issuesFor('uuid', '0b7e4d3a6c1f4a8e9d523f6a1c2b9e70')).toHaveLength(1);
  });
});
