import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** A top-up: credits asked for with an idempotency key, charged asynchronously. */
@Entity({ name: 'payments' })
export class Payment {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('integer')
  credits!: number;

  @Column('text')
  status!: PaymentStatus;

  /** Calls to the payment provider made so far (claimed attempts). */
  @Column('integer')
  attempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason!: string | null;

  @Column('text', { name: 'idempotency_key' })
  idempotencyKey!: string;

  /** SHA-256 of the validated request body, to tell a replay from a reused key. */
  @Column('text', { name: 'request_hash' })
  requestHash!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;
}
