import { nameBasedUuid } from './name-based-uuid';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('nameBasedUuid', () => {
  it('matches the reference version 5 UUID for a well-known name', () => {
    expect(nameBasedUuid('python.org', DNS_NAMESPACE)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('gives the same name the same id and another name another id', () => {
    expect(nameBasedUuid('user.created:a')).toBe(nameBasedUuid('user.created:a'));
    expect(nameBasedUuid('user.created:a')).not.toBe(nameBasedUuid('user.created:b'));
  });

  it('sets the version 5 and RFC variant bits', () => {
    expect(nameBasedUuid('anything')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
