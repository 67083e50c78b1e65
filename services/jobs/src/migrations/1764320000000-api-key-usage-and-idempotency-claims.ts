import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeyUsageAndIdempotencyClaims1764320000000 implements MigrationInterface {
  name = 'ApiKeyUsageAndIdempotencyClaims1764320000000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      // When the key was last used, kept to one write (and one event) per key per minute.
      `ALTER TABLE "jobs"."api_keys" ADD COLUMN "last_used_at" timestamptz`,
      // A revoke can overtake its create. It then leaves a tombstone (id, owner, revoked_at and
      // nothing else) that the late create fills in without clearing `revoked_at`.
      `ALTER TABLE "jobs"."api_keys"
         ALTER COLUMN "key_hash" DROP NOT NULL,
         ALTER COLUMN "prefix" DROP NOT NULL,
         ALTER COLUMN "created_at" DROP NOT NULL,
         ADD CONSTRAINT "api_keys_tombstone_is_revoked" CHECK ("key_hash" IS NOT NULL OR "revoked_at" IS NOT NULL)`,
      // Who holds an in-flight key. A request whose process died leaves its claim behind; a
      // later request may take it over, and the old holder, should it still be alive, can no
      // longer complete it (its completion names its own claim).
      `ALTER TABLE "jobs"."idempotency_keys" ADD COLUMN "claim_id" uuid`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE "jobs"."idempotency_keys" DROP COLUMN "claim_id"`,
      `DELETE FROM "jobs"."api_keys" WHERE "key_hash" IS NULL`,
      `ALTER TABLE "jobs"."api_keys"
         DROP CONSTRAINT "api_keys_tombstone_is_revoked",
         ALTER COLUMN "key_hash" SET NOT NULL,
         ALTER COLUMN "prefix" SET NOT NULL,
         ALTER COLUMN "created_at" SET NOT NULL`,
      `ALTER TABLE "jobs"."api_keys" DROP COLUMN "last_used_at"`,
    ];
    for (const sql of statements) await db.query(sql);
  }
}
