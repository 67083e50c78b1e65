import { InOrder } from './in-order';

const rows = (...ids: number[]) => ids.map((id) => ({ id: BigInt(id) }));
const ids = (taken: { ready: { id: bigint }[] }) => taken.ready.map((row) => Number(row.id));

describe('releasing log rows in id order', () => {
  it('releases consecutive ids at once', () => {
    const gate = new InOrder(10n, 1_000);
    expect(gate.take(rows(11, 12, 13), 0)).toEqual({ ready: rows(11, 12, 13), blocked: false });
    expect(gate.watermark).toBe(13n);
  });

  it('holds everything after a missing id until it appears', () => {
    // given id 12 committed before 11
    const gate = new InOrder(10n, 1_000);
    const first = gate.take(rows(12), 0);
    expect(first).toEqual({ ready: [], blocked: true });
    // when 11 commits
    const second = gate.take(rows(11, 12), 100);
    // then both go, in order
    expect(ids(second)).toEqual([11, 12]);
    expect(gate.watermark).toBe(12n);
  });

  it('skips an id missing for the whole timeout, as rolled back', () => {
    const gate = new InOrder(10n, 1_000);
    expect(gate.take(rows(12, 13), 0).blocked).toBe(true);
    expect(gate.take(rows(12, 13), 999).blocked).toBe(true);
    expect(ids(gate.take(rows(12, 13), 1_000))).toEqual([12, 13]);
  });

  it('gives ids noticed missing together one deadline', () => {
    // given 11, 12 and 13 missing when 14 is seen
    const gate = new InOrder(10n, 1_000);
    gate.take(rows(14), 0);
    // when 12 turns up later, then after the first deadline 11 and 13 are skipped together
    expect(gate.take(rows(12, 14), 500).blocked).toBe(true);
    expect(ids(gate.take(rows(12, 14), 1_000))).toEqual([12, 14]);
  });

  it('starts a new deadline for an id that goes missing later', () => {
    const gate = new InOrder(10n, 1_000);
    gate.take(rows(12), 0);
    gate.take(rows(12), 1_000); // 11 skipped
    expect(gate.take(rows(14), 1_500).blocked).toBe(true); // 13 missing from now on
    expect(gate.take(rows(14), 2_499).blocked).toBe(true);
    expect(ids(gate.take(rows(14), 2_500))).toEqual([14]);
  });
});
