import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A running job's lease: until when the worker that claimed it is known to be alive, and which
 * worker that is. The claim sets the lease and its holder renews it; a job whose lease ran out
 * is handed back to the queue (or failed, when it has no attempts left) by any worker's poll.
 *
 * No index on `lease_expires_at`: renewals are the most frequent write to a running row, and
 * leaving the column unindexed lets them be HOT updates. The reaper only reads running rows,
 * which are few and which the partial index `jobs_running` already covers.
 */
export class AddJobLease1764340000000 implements MigrationInterface {
  name = 'AddJobLease1764340000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" ADD COLUMN "lease_expires_at" timestamptz, ADD COLUMN "worker_id" text`);
    // Jobs running now were claimed by workers that never renew a lease. Their workers may
    // still be busy with them during a rolling deploy, so they get longer than the longest echo
    // job (5 min) before they count as lost; a job stuck since before the deploy is then freed.
    await db.query(`UPDATE "jobs"."jobs" SET "lease_expires_at" = now() + interval '10 minutes' WHERE "status" = 'running'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "jobs"."jobs" DROP COLUMN "worker_id", DROP COLUMN "lease_expires_at"`);
  }
}
