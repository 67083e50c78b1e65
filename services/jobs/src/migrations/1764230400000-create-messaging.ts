import { inboxTableSql } from '@conveyor/messaging';
import { outboxTableSql } from '@conveyor/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMessaging1764230400000 implements MigrationInterface {
  name = 'CreateMessaging1764230400000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of [...outboxTableSql('jobs'), ...inboxTableSql('jobs')]) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['inbox', 'outbox']) await db.query(`DROP TABLE "jobs"."${table}"`);
    await db.query(`DROP FUNCTION "jobs"."outbox_notify"()`);
  }
}
