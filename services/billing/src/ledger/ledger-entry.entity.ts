import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntryKind } from './entry-kinds';

/** One row of the append-only credit ledger; written only through appendEntry. */
@Entity({ name: 'ledger_entries' })
export class LedgerEntry {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  kind!: EntryKind;

  /** Signed change of the available balance. */
  @Column('integer')
  amount!: number;

  /** Signed change of the reserved credits. */
  @Column('integer')
  held!: number;

  @Column('uuid', { name: 'job_id', nullable: true })
  jobId!: string | null;

  @Column('uuid', { name: 'payment_id', nullable: true })
  paymentId!: string | null;

  @Column('uuid', { name: 'reservation_id', nullable: true })
  reservationId!: string | null;

  @Column('text', { nullable: true })
  note!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
