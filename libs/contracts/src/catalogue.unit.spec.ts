import { catalogue, findContract } from './catalogue';
import { dataIssues } from './validation/contract-validator';

describe('catalogue', () => {
  const byType = catalogue.map((contract) => [contract.type, contract] as const);

  it.each(byType)('has an example of %s that fits its schema', (_type, contract) => {
    expect(dataIssues(contract, contract.example)).toEqual([]);
  });

  it('lists each event type once', () => {
    const types = catalogue.map((c) => c.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it('finds a contract by its type', () => {
    expect(findContract('auth.user.registered.v1')?.producer).toBe('auth');
  });

  it('finds nothing for a type that is not in the catalogue', () => {
    expect(findContract('auth.user.registered.v9')).toBeUndefined();
  });
});
