import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A client's credit account. The balances are caches of the ledger's sums. */
@Entity({ name: 'accounts' })
export class Account {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  plan!: string;

  /** Grows with every plan change; sent as `revision` in `billing.account.plan_changed.v1`. */
  @Column('integer', { name: 'plan_revision' })
  planRevision!: number;

  /** Credits that can be spent now: the sum of the ledger's `amount`. */
  @Column('integer')
  available!: number;

  /** Credits held by jobs that have not ended: the sum of the ledger's `held`. */
  @Column('integer')
  reserved!: number;

  @Column('timestamptz', { name: 'opened_at' })
  openedAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  /** Set when the user is deleted: no more reservations, grants or top-ups. */
  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;
}
