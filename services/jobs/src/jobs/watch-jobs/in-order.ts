/**
 * Releases log rows in id order without passing a missing id. Ids come from a sequence, so
 * they are handed out in one order and committed in another: id 12 can be visible while 11 is
 * still in its transaction. A missing id holds back every later one until it appears, or until
 * it has been missing for `gapTimeoutMs`, when its transaction is taken as rolled back. Ids
 * noticed missing together share one deadline, so a rolled-back batch costs one timeout.
 */
export class InOrder {
  private gap?: { upTo: bigint; since: number };

  constructor(
    /** Every id up to this one has been released (or skipped). */
    private released: bigint,
    private readonly gapTimeoutMs: number,
  ) {}

  get watermark(): bigint {
    return this.released;
  }

  /**
   * The rows (ascending ids, all above the watermark) that may be released now, in order;
   * `blocked` is true when a missing id held back the rest.
   */
  take<T extends { id: bigint }>(rows: readonly T[], now = Date.now()): { ready: T[]; blocked: boolean } {
    const ready: T[] = [];
    for (const row of rows) {
      const next = this.released + 1n;
      if (row.id !== next) {
        if (!this.gap || next > this.gap.upTo) this.gap = { upTo: row.id - 1n, since: now };
        if (now - this.gap.since < this.gapTimeoutMs) return { ready, blocked: true };
      }
      this.released = row.id;
      ready.push(row);
    }
    return { ready, blocked: false };
  }
}
