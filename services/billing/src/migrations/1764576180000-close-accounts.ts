import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CloseAccounts1764576180000 implements MigrationInterface {
  name = 'CloseAccounts1764576180000';

  async up(db: QueryRunner): Promise<void> {
    // A closed account (its user was deleted) takes no more reservations, grants or top-ups;
    // its ledger stays, append-only, for the books.
    await db.query(`ALTER TABLE "billing"."accounts" ADD COLUMN "closed_at" timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "billing"."accounts" DROP COLUMN "closed_at"`);
  }
}
