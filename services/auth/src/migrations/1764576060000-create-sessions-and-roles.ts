import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessionsAndRoles1764576060000 implements MigrationInterface {
  name = 'CreateSessionsAndRoles1764576060000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE "auth"."credentials"
         ADD COLUMN "roles" text[] NOT NULL DEFAULT '{user}',
         ADD COLUMN "disabled_at" timestamptz`,
      // One row per refresh token ever issued; a login starts a family, each refresh adds the
      // next token of it and marks the previous one rotated. Only SHA-256 hashes are stored.
      `CREATE TABLE "auth"."refresh_tokens" (
         "id" uuid PRIMARY KEY,
         "family_id" uuid NOT NULL,
         "user_id" uuid NOT NULL REFERENCES "auth"."credentials" ("id"),
         "token_hash" text NOT NULL UNIQUE CHECK ("token_hash" ~ '^[0-9a-f]{64}$'),
         "created_at" timestamptz NOT NULL,
         "expires_at" timestamptz NOT NULL,
         "rotated_at" timestamptz,
         "revoked_at" timestamptz)`,
      `CREATE INDEX "refresh_tokens_by_family" ON "auth"."refresh_tokens" ("family_id")`,
      `CREATE INDEX "refresh_tokens_live_by_user" ON "auth"."refresh_tokens" ("user_id") WHERE "revoked_at" IS NULL`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."refresh_tokens"`);
    await db.query(`ALTER TABLE "auth"."credentials" DROP COLUMN "roles", DROP COLUMN "disabled_at"`);
  }
}
