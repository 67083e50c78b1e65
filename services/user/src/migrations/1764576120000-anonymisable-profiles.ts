import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AnonymisableProfiles1764576120000 implements MigrationInterface {
  name = 'AnonymisableProfiles1764576120000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      // A deleted profile stays as an anonymous tombstone (no email, no name), so that a late
      // or redelivered registration event cannot bring the person's data back.
      `ALTER TABLE "users"."profiles" ALTER COLUMN "email" DROP NOT NULL, ADD COLUMN "deleted_at" timestamptz`,
      `ALTER TABLE "users"."profiles" ADD CONSTRAINT "profiles_deleted_are_anonymous"
         CHECK ("deleted_at" IS NULL OR ("email" IS NULL AND "name" IS NULL))`,
      `ALTER TABLE "users"."profiles" ADD CONSTRAINT "profiles_live_have_email" CHECK ("deleted_at" IS NOT NULL OR "email" IS NOT NULL)`,
      // The administrators' list, newest first.
      `CREATE INDEX "profiles_live_newest_first" ON "users"."profiles" ("registered_at" DESC, "user_id" DESC) WHERE "deleted_at" IS NULL`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "users"."profiles_live_newest_first"`);
    await db.query(`DELETE FROM "users"."profiles" WHERE "deleted_at" IS NOT NULL`);
    await db.query(`ALTER TABLE "users"."profiles" DROP CONSTRAINT "profiles_deleted_are_anonymous",
      DROP CONSTRAINT "profiles_live_have_email", DROP COLUMN "deleted_at", ALTER COLUMN "email" SET NOT NULL`);
  }
}
