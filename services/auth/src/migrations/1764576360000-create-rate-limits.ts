import { rateLimitTableSql } from '@conveyor/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRateLimits1764576360000 implements MigrationInterface {
  name = 'CreateRateLimits1764576360000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of rateLimitTableSql('auth')) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."rate_limits"`);
  }
}
