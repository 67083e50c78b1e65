import { consumerFailuresTableSql } from '@conveyor/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why deliveries of an event failed (first and last error), shown beside dead letters. */
export class CreateConsumerFailures1764700000000 implements MigrationInterface {
  name = 'CreateConsumerFailures1764700000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of consumerFailuresTableSql('webhooks')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE "webhooks"."consumer_failures"');
  }
}
