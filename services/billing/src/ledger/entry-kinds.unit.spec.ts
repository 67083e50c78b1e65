import { entryEffect } from './entry-kinds';

describe('the ledger sign convention', () => {
  it('leaves the balances where they started after a reserve and its release', () => {
    // given a hold of 3 credits
    const entries = [entryEffect.reserve(3), entryEffect.release(3)];

    // when both are summed
    const available = entries.reduce((sum, e) => sum + e.amount, 0);
    const held = entries.reduce((sum, e) => sum + e.held, 0);

    // then nothing was spent and nothing is held
    expect({ available, held }).toEqual({ available: 0, held: 0 });
  });

  it('spends the reserved credits for good when the reserve is captured', () => {
    const entries = [entryEffect.grant(10), entryEffect.reserve(4), entryEffect.capture(4)];

    const available = entries.reduce((sum, e) => sum + e.amount, 0);
    const held = entries.reduce((sum, e) => sum + e.held, 0);

    expect({ available, held }).toEqual({ available: 6, held: 0 });
  });

  it('adds granted and topped-up credits to the available balance only', () => {
    expect(entryEffect.grant(5)).toEqual({ kind: 'grant', amount: 5, held: 0 });
    expect(entryEffect.topUp(7)).toEqual({ kind: 'top_up', amount: 7, held: 0 });
  });
});
