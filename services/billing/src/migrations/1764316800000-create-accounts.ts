import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans and job costs (both data, seeded here), accounts with their cached balances, the
 * append-only credit ledger, and the terminal outcomes of jobs that billing has heard of.
 */
export class CreateAccounts1764316800000 implements MigrationInterface {
  name = 'CreateAccounts1764316800000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "billing"."plans" (
         "name" text PRIMARY KEY CHECK ("name" ~ '^[a-z][a-z0-9_-]{0,31}$'),
         "max_concurrent_jobs" integer NOT NULL CHECK ("max_concurrent_jobs" BETWEEN 1 AND 1000),
         "starter_credits" integer NOT NULL CHECK ("starter_credits" >= 0))`,
      `INSERT INTO "billing"."plans" ("name", "max_concurrent_jobs", "starter_credits")
       VALUES ('basic', 1, 10), ('pro', 5, 100)`,
      // '*' is the price of every job type without a row of its own.
      `CREATE TABLE "billing"."job_costs" (
         "job_type" text PRIMARY KEY CHECK ("job_type" = '*' OR "job_type" ~ '^[a-z][a-z0-9_.-]{0,63}$'),
         "credits" integer NOT NULL CHECK ("credits" >= 0))`,
      `INSERT INTO "billing"."job_costs" ("job_type", "credits") VALUES ('*', 1)`,
      // `available` and `reserved` cache the sums of the ledger's `amount` and `held`; they
      // change only together with a ledger insert, in its transaction. The checks make an
      // overdraw impossible even if code got the locking wrong.
      `CREATE TABLE "billing"."accounts" (
         "user_id" uuid PRIMARY KEY,
         "plan" text NOT NULL REFERENCES "billing"."plans" ("name"),
         "plan_revision" integer NOT NULL DEFAULT 1 CHECK ("plan_revision" >= 1),
         "available" integer NOT NULL DEFAULT 0 CHECK ("available" >= 0),
         "reserved" integer NOT NULL DEFAULT 0 CHECK ("reserved" >= 0),
         "opened_at" timestamptz NOT NULL DEFAULT now(),
         "updated_at" timestamptz NOT NULL DEFAULT now())`,
      // amount = change of the available balance, held = change of the reserved credits:
      //   grant, top_up: +n / 0    reserve: -n / +n    capture: 0 / -n    release: +n / -n
      // created_at uses clock_timestamp(): entries are written while the account row is locked,
      // so within one account later entries always get later times (the ledger cursor relies
      // on it), which now() (the transaction's start) would not guarantee.
      `CREATE TABLE "billing"."ledger_entries" (
         "id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL REFERENCES "billing"."accounts" ("user_id"),
         "kind" text NOT NULL CHECK ("kind" IN ('grant', 'reserve', 'capture', 'release', 'top_up')),
         "amount" integer NOT NULL,
         "held" integer NOT NULL,
         "job_id" uuid,
         "payment_id" uuid,
         "reservation_id" uuid,
         "note" text CHECK (char_length("note") <= 500),
         "created_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
         CONSTRAINT "ledger_entries_signs" CHECK (CASE "kind"
           WHEN 'grant' THEN "amount" > 0 AND "held" = 0
           WHEN 'top_up' THEN "amount" > 0 AND "held" = 0
           WHEN 'reserve' THEN "amount" <= 0 AND "held" = -"amount"
           WHEN 'capture' THEN "amount" = 0 AND "held" <= 0
           WHEN 'release' THEN "amount" >= 0 AND "held" = -"amount"
         END),
         CONSTRAINT "ledger_entries_references" CHECK (
           ("job_id" IS NOT NULL) = ("kind" IN ('reserve', 'capture', 'release'))
           AND ("reservation_id" IS NOT NULL) = ("kind" IN ('capture', 'release'))
           AND ("payment_id" IS NOT NULL) = ("kind" = 'top_up')
           AND "reservation_id" <> "id"),
         CONSTRAINT "ledger_entries_settlement_target" UNIQUE ("id", "job_id", "user_id"),
         -- A capture or release points at the reserve of the same job and account, so neither
         -- can exist without a prior reserve.
         CONSTRAINT "ledger_entries_settles_reservation" FOREIGN KEY ("reservation_id", "job_id", "user_id")
           REFERENCES "billing"."ledger_entries" ("id", "job_id", "user_id"))`,
      // Each job is reserved at most once, and then either captured or released, once.
      `CREATE UNIQUE INDEX "ledger_one_reserve_per_job" ON "billing"."ledger_entries" ("job_id") WHERE "kind" = 'reserve'`,
      `CREATE UNIQUE INDEX "ledger_one_settlement_per_job" ON "billing"."ledger_entries" ("job_id")
       WHERE "kind" IN ('capture', 'release')`,
      `CREATE UNIQUE INDEX "ledger_one_top_up_per_payment" ON "billing"."ledger_entries" ("payment_id")
       WHERE "kind" = 'top_up'`,
      `CREATE INDEX "ledger_by_owner" ON "billing"."ledger_entries" ("user_id", "created_at" DESC, "id" DESC)`,
      // The billing role owns the table, and an owner's UPDATE/DELETE rights cannot be revoked,
      // so append-only is enforced by triggers instead.
      `CREATE FUNCTION "billing"."ledger_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'billing.ledger_entries is append-only: % is not allowed', TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END $$`,
      `CREATE TRIGGER "ledger_entries_no_update_or_delete" BEFORE UPDATE OR DELETE ON "billing"."ledger_entries"
       FOR EACH ROW EXECUTE FUNCTION "billing"."ledger_entries_append_only"()`,
      `CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "billing"."ledger_entries"
       FOR EACH STATEMENT EXECUTE FUNCTION "billing"."ledger_entries_append_only"()`,
      // The first terminal outcome billing heard of for each job. A submission that arrives
      // after its job already ended must not hold credits that nothing would ever release.
      `CREATE TABLE "billing"."job_outcomes" (
         "job_id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL,
         "outcome" text NOT NULL CHECK ("outcome" IN ('succeeded', 'failed', 'canceled', 'rejected')),
         "recorded_at" timestamptz NOT NULL DEFAULT now())`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['job_outcomes', 'ledger_entries', 'accounts', 'job_costs', 'plans']) {
      await db.query(`DROP TABLE "billing"."${table}"`);
    }
    await db.query(`DROP FUNCTION "billing"."ledger_entries_append_only"()`);
  }
}
