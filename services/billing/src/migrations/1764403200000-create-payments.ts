import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Top-ups: one payment per accepted request, charged asynchronously by the processor. */
export class CreatePayments1764403200000 implements MigrationInterface {
  name = 'CreatePayments1764403200000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      // The idempotency key lives on the payment it created: one insert decides the race
      // between two requests with the same key, and the answer can always be rebuilt from it.
      // `next_attempt_at` is both the retry schedule and the lease of a claimed attempt.
      `CREATE TABLE "billing"."payments" (
         "id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL REFERENCES "billing"."accounts" ("user_id"),
         "credits" integer NOT NULL CHECK ("credits" BETWEEN 1 AND 100000),
         "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'succeeded', 'failed')),
         "attempts" integer NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
         "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
         "last_error" text,
         "failure_reason" text,
         "idempotency_key" text NOT NULL,
         "request_hash" text NOT NULL,
         "created_at" timestamptz NOT NULL DEFAULT now(),
         "completed_at" timestamptz,
         CONSTRAINT "payments_one_per_idempotency_key" UNIQUE ("user_id", "idempotency_key"),
         CHECK (("status" = 'failed') = ("failure_reason" IS NOT NULL)),
         CHECK (("status" = 'pending') = ("completed_at" IS NULL)))`,
      `CREATE INDEX "payments_due" ON "billing"."payments" ("next_attempt_at") WHERE "status" = 'pending'`,
      `ALTER TABLE "billing"."ledger_entries" ADD CONSTRAINT "ledger_entries_payment"
       FOREIGN KEY ("payment_id") REFERENCES "billing"."payments" ("id")`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "billing"."ledger_entries" DROP CONSTRAINT "ledger_entries_payment"`);
    await db.query(`DROP TABLE "billing"."payments"`);
  }
}
