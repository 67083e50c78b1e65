import { inboxTableSql } from '@conveyor/messaging';
import { outboxTableSql } from '@conveyor/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCredentials1764230400000 implements MigrationInterface {
  name = 'CreateCredentials1764230400000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      ...outboxTableSql('auth'),
      ...inboxTableSql('auth'),
      // Emails are stored normalised (trimmed, lower-case), so a plain unique index makes
      // them case-insensitively unique.
      `CREATE TABLE "auth"."credentials" (
         "id" uuid PRIMARY KEY,
         "email" text NOT NULL UNIQUE CHECK ("email" = lower("email")),
         "name" text,
         "password_hash" text NOT NULL,
         "created_at" timestamptz NOT NULL DEFAULT now())`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['credentials', 'inbox', 'outbox']) await db.query(`DROP TABLE "auth"."${table}"`);
    await db.query(`DROP FUNCTION "auth"."outbox_notify"()`);
  }
}
