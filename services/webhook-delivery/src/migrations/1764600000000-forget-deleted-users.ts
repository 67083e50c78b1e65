import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deleted users: remembered so their later events and their still-valid access tokens are
 * refused, and a delivery status `dropped` for what was still pending when they left.
 */
export class ForgetDeletedUsers1764600000000 implements MigrationInterface {
  name = 'ForgetDeletedUsers1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE webhooks.deleted_users (user_id uuid PRIMARY KEY, deleted_at timestamptz NOT NULL)`);
    await db.query(`ALTER TABLE webhooks.deliveries DROP CONSTRAINT deliveries_status_check`);
    await db.query(
      `ALTER TABLE webhooks.deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'exhausted', 'dropped'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE webhooks.deliveries SET status = 'exhausted' WHERE status = 'dropped'`);
    await db.query(`ALTER TABLE webhooks.deliveries DROP CONSTRAINT deliveries_status_check`);
    await db.query(`ALTER TABLE webhooks.deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'exhausted'))`);
    await db.query(`DROP TABLE webhooks.deleted_users`);
  }
}
