import { rateLimitTableLoggingSql } from '@conveyor/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The rate-limit counters skip the WAL (see rateLimitTableLoggingSql). */
export class UnloggedRateLimits1764800000000 implements MigrationInterface {
  name = 'UnloggedRateLimits1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(rateLimitTableLoggingSql('auth', 'UNLOGGED'));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(rateLimitTableLoggingSql('auth', 'LOGGED'));
  }
}
