import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountTokens1764576480000 implements MigrationInterface {
  name = 'CreateAccountTokens1764576480000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE "auth"."credentials" ADD COLUMN "email_confirmed_at" timestamptz`,
      // Single-use tokens mailed for email confirmation and password reset; SHA-256 only.
      `CREATE TABLE "auth"."account_tokens" (
         "id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL REFERENCES "auth"."credentials" ("id"),
         "purpose" text NOT NULL CHECK ("purpose" IN ('confirm_email', 'reset_password')),
         "token_hash" text NOT NULL UNIQUE CHECK ("token_hash" ~ '^[0-9a-f]{64}$'),
         "created_at" timestamptz NOT NULL,
         "expires_at" timestamptz NOT NULL,
         "used_at" timestamptz)`,
      `CREATE INDEX "account_tokens_open_by_user" ON "auth"."account_tokens" ("user_id", "purpose") WHERE "used_at" IS NULL`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."account_tokens"`);
    await db.query(`ALTER TABLE "auth"."credentials" DROP COLUMN "email_confirmed_at"`);
  }
}
