import { rateLimitTableSql } from '@conveyor/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRateLimits1764576420000 implements MigrationInterface {
  name = 'CreateRateLimits1764576420000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of rateLimitTableSql('jobs')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "jobs"."rate_limits"`);
  }
}
