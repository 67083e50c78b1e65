import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JobStatus } from './job-status';

/** A submitted job. Status changes go through guarded updates (see job-status.ts). */
@Entity({ name: 'jobs' })
export class Job {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  input!: unknown;

  @Column('jsonb')
  metadata!: Record<string, string>;

  @Column('text', { name: 'webhook_url', nullable: true })
  webhookUrl!: string | null;

  @Column('text')
  status!: JobStatus;

  /** Why a job was rejected, e.g. `insufficient_credits`. */
  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @Column('jsonb', { nullable: true })
  result!: unknown;

  /** Set when the result is a file (in `jobs.blobs`); `result` then describes it. */
  @Column('text', { name: 'result_content_type', nullable: true })
  resultContentType!: string | null;

  @Column('integer')
  attempts!: number;

  /** Submission order; queued jobs of a client start in this order. */
  @Column({ type: 'int8', insert: false, update: false })
  seq!: string;

  /** Grows with every change; the ETag of the job's representation. */
  @Column('integer')
  version!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'queued_at', nullable: true })
  queuedAt!: Date | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  /** W3C trace context of the job's trace (from the submit request; the reservation's once queued). */
  @Column('jsonb', { name: 'trace_context' })
  traceContext!: { traceparent?: string };
}
