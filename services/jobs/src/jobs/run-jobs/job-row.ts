import type { TraceCarrier } from '@conveyor/tracing';
import { jobFacts } from '../job-facts';

/** The columns of `jobs.jobs` that the lifecycle events are built from. */
export interface JobRow {
  id: string;
  user_id: string;
  type: string;
  input: unknown;
  metadata: Record<string, string>;
  webhook_url: string | null;
  created_at: Date;
  started_at: Date | null;
  attempts: number;
  seq: string;
  trace_context: TraceCarrier;
}

/** The select list that fills a JobRow (for `RETURNING`). */
export const JOB_ROW_COLUMNS = (alias: string) =>
  ['id', 'user_id', 'type', 'input', 'metadata', 'webhook_url', 'created_at', 'started_at', 'attempts', 'seq', 'trace_context']
    .map((column) => `${alias}.${column}`)
    .join(', ');

/** The part every job event repeats, from a row. */
export const jobFactsOf = (row: JobRow) =>
  jobFacts({
    id: row.id,
    userId: row.user_id,
    type: row.type,
    metadata: row.metadata,
    webhookUrl: row.webhook_url,
    createdAt: row.created_at,
  });
