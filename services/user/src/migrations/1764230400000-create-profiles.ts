import { inboxTableSql } from '@conveyor/messaging';
import { outboxTableSql } from '@conveyor/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProfiles1764230400000 implements MigrationInterface {
  name = 'CreateProfiles1764230400000';

  async up(db: QueryRunner): Promise<void> {
    const statements = [
      ...outboxTableSql('users'),
      ...inboxTableSql('users'),
      `CREATE TABLE "users"."profiles" (
         "user_id" uuid PRIMARY KEY,
         "email" text NOT NULL,
         "name" text,
         "registered_at" timestamptz NOT NULL,
         "updated_at" timestamptz NOT NULL DEFAULT now())`,
    ];
    for (const sql of statements) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['profiles', 'inbox', 'outbox']) await db.query(`DROP TABLE "users"."${table}"`);
    await db.query(`DROP FUNCTION "users"."outbox_notify"()`);
  }
}
