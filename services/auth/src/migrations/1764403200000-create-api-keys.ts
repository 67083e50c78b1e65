import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1764403200000 implements MigrationInterface {
  name = 'CreateApiKeys1764403200000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      // The key itself is never stored: only its SHA-256 (to recognise it) and a short visible
      // prefix (so a client can tell its keys apart). No cascade from the account: whoever
      // deletes an account must revoke its keys first, with their events, or jobs would keep
      // accepting them.
      `CREATE TABLE "auth"."api_keys" (
         "id" uuid PRIMARY KEY,
         "user_id" uuid NOT NULL REFERENCES "auth"."credentials" ("id"),
         "name" text NOT NULL CHECK (char_length("name") BETWEEN 1 AND 100),
         "prefix" text NOT NULL,
         "key_hash" text NOT NULL UNIQUE CHECK ("key_hash" ~ '^[0-9a-f]{64}$'),
         "scopes" text[] NOT NULL,
         "created_at" timestamptz NOT NULL,
         "last_used_at" timestamptz,
         "revoked_at" timestamptz)`,
      // Listing and counting a client's active keys, newest first.
      `CREATE INDEX "api_keys_active_by_owner" ON "auth"."api_keys" ("user_id", "created_at" DESC)
         WHERE "revoked_at" IS NULL`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."api_keys"`);
  }
}
