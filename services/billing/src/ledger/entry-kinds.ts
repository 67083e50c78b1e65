/** What a ledger entry records. */
export type EntryKind = 'grant' | 'top_up' | 'reserve' | 'capture' | 'release';

/** The signed effects of one entry: `amount` on the available balance, `held` on the reserved credits. */
export interface EntryEffect {
  kind: EntryKind;
  amount: number;
  held: number;
}

/**
 * The ledger's sign convention in one place. Summing `amount` over an account gives what it
 * can spend; summing `held` gives what running jobs hold. A job's cost leaves `available` when
 * it is reserved; capturing only turns the hold into a charge, releasing gives it back.
 */
export const entryEffect = {
  grant: (credits: number): EntryEffect => ({ kind: 'grant', amount: credits, held: 0 }),
  topUp: (credits: number): EntryEffect => ({ kind: 'top_up', amount: credits, held: 0 }),
  reserve: (credits: number): EntryEffect => ({ kind: 'reserve', amount: -credits, held: credits }),
  capture: (credits: number): EntryEffect => ({ kind: 'capture', amount: 0, held: -credits }),
  release: (credits: number): EntryEffect => ({ kind: 'release', amount: credits, held: -credits }),
};
