import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJobs1764316800000 implements MigrationInterface {
  name = 'CreateJobs1764316800000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "jobs"."jobs" (
         "id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL,
         "type" text NOT NULL,
         "input" jsonb NOT NULL,
         "metadata" jsonb NOT NULL DEFAULT '{}',
         "webhook_url" text,
         "status" text NOT NULL CHECK ("status" IN ('pending', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'rejected')),
         "reason" text,
         "error_code" text,
         "error_message" text,
         "result" jsonb,
         "attempts" integer NOT NULL DEFAULT 0,
         "seq" bigserial NOT NULL UNIQUE,
         "version" integer NOT NULL DEFAULT 1,
         "created_at" timestamptz NOT NULL DEFAULT now(),
         "queued_at" timestamptz,
         "started_at" timestamptz,
         "finished_at" timestamptz,
         "updated_at" timestamptz NOT NULL DEFAULT now())`,
      // Listing: a client's jobs, newest first (cursor = created_at, id).
      `CREATE INDEX "jobs_by_owner" ON "jobs"."jobs" ("user_id", "created_at" DESC, "id" DESC)`,
      // Dispatch: queued jobs in submission order, per client.
      `CREATE INDEX "jobs_queued" ON "jobs"."jobs" ("user_id", "seq") WHERE "status" = 'queued'`,
      `CREATE INDEX "jobs_running" ON "jobs"."jobs" ("user_id") WHERE "status" = 'running'`,
      // Projection of auth's API keys: only the hash of a key is ever known here.
      `CREATE TABLE "jobs"."api_keys" (
         "key_id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL,
         "key_hash" text NOT NULL UNIQUE,
         "prefix" text NOT NULL,
         "scopes" text[] NOT NULL DEFAULT '{}',
         "created_at" timestamptz NOT NULL,
         "revoked_at" timestamptz)`,
      // Projection of billing's plans: how many jobs of a client may run at once.
      `CREATE TABLE "jobs"."plans" (
         "user_id" uuid PRIMARY KEY,
         "plan" text NOT NULL,
         "max_concurrent_jobs" integer NOT NULL CHECK ("max_concurrent_jobs" > 0),
         "revision" integer NOT NULL,
         "updated_at" timestamptz NOT NULL DEFAULT now())`,
      `CREATE TABLE "jobs"."idempotency_keys" (
         "user_id" uuid NOT NULL,
         "key" text NOT NULL,
         "request_hash" text NOT NULL,
         "state" text NOT NULL CHECK ("state" IN ('in_flight', 'completed')),
         "response_status" integer,
         "response_headers" jsonb,
         "response_body" jsonb,
         "created_at" timestamptz NOT NULL DEFAULT now(),
         "expires_at" timestamptz NOT NULL,
         PRIMARY KEY ("user_id", "key"))`,
      `CREATE INDEX "idempotency_keys_expiry" ON "jobs"."idempotency_keys" ("expires_at")`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'plans', 'api_keys', 'jobs']) await db.query(`DROP TABLE "jobs"."${table}"`);
  }
}
