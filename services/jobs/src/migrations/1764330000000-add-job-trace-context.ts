import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace a job belongs to, so the worker that runs it (later, in another transaction,
 * maybe in another process) continues the trace of the request that submitted it instead of
 * starting a new one. Written when the job is queued; read when it is claimed.
 */
export class AddJobTraceContext1764330000000 implements MigrationInterface {
  name = 'AddJobTraceContext1764330000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" ADD COLUMN "trace_context" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" DROP COLUMN "trace_context"`);
  }
}
