import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every status a job enters, in one append-only log that the live status streams (SSE) read
 * and resume from. A trigger writes it, so no code path that changes a job's status can
 * forget to; it also sends `NOTIFY jobs_status_changed` with the new row's id, so every API
 * instance hears about the change, whichever instance made it.
 */
export class CreateJobStatusLog1764380000000 implements MigrationInterface {
  name = 'CreateJobStatusLog1764380000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "jobs"."job_status_log" (
         "id" bigserial PRIMARY KEY,
         "job_id" uuid NOT NULL,
         "user_id" uuid NOT NULL,
         "type" text NOT NULL,
         "status" text NOT NULL,
         "at" timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await db.query(`CREATE INDEX "job_status_log_by_owner" ON "jobs"."job_status_log" ("user_id", "id")`);
    await db.query(`CREATE INDEX "job_status_log_by_job" ON "jobs"."job_status_log" ("job_id", "id")`);
    await db.query(`CREATE INDEX "job_status_log_by_time" ON "jobs"."job_status_log" ("at")`);
    await db.query(
      `CREATE FUNCTION "jobs"."log_job_status"() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE logged bigint;
       BEGIN
         IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
           INSERT INTO jobs.job_status_log (job_id, user_id, type, status)
           VALUES (NEW.id, NEW.user_id, NEW.type, NEW.status) RETURNING id INTO logged;
           PERFORM pg_notify('jobs_status_changed', logged::text);
         END IF;
         RETURN NULL;
       END $$`,
    );
    await db.query(
      `CREATE TRIGGER "jobs_log_status" AFTER INSERT OR UPDATE OF "status" ON "jobs"."jobs"
       FOR EACH ROW EXECUTE FUNCTION "jobs"."log_job_status"()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER "jobs_log_status" ON "jobs"."jobs"`);
    await db.query(`DROP FUNCTION "jobs"."log_job_status"()`);
    await db.query(`DROP TABLE "jobs"."job_status_log"`);
  }
}
