import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instances cache API-key lookups (see ApiKeyAuthenticator) and must drop an entry as soon as
 * the key's row changes, whichever consumer changed it. A trigger sends
 * `NOTIFY jobs_api_keys_changed` with the key's hash when anything an authentication answers
 * from changes: the key's id, owner, hash, scopes or revocation, or the row's deletion. The
 * once-a-minute `last_used_at` writes are left out by the WHEN condition, so they do not even
 * call the function. Inserts announce nothing: only keys that were found are cached, so a
 * new row cannot make a cached answer wrong (and `key_hash` is unique).
 */
export class NotifyApiKeyChanges1764900000000 implements MigrationInterface {
  name = 'NotifyApiKeyChanges1764900000000';

  async up(db: QueryRunner): Promise<void> {
    // Both hashes of a row whose hash changed (a tombstone filled in by a late create) are
    // announced; a tombstone has none to announce.
    await db.query(
      `CREATE FUNCTION "jobs"."notify_api_key_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.key_hash IS NOT NULL THEN
           PERFORM pg_notify('jobs_api_keys_changed', OLD.key_hash);
         END IF;
         IF TG_OP = 'UPDATE' AND NEW.key_hash IS NOT NULL AND NEW.key_hash IS DISTINCT FROM OLD.key_hash THEN
           PERFORM pg_notify('jobs_api_keys_changed', NEW.key_hash);
         END IF;
         RETURN NULL;
       END $$`,
    );
    await db.query(
      `CREATE TRIGGER "api_keys_notify_update" AFTER UPDATE ON "jobs"."api_keys"
       FOR EACH ROW
       WHEN (OLD.key_id IS DISTINCT FROM NEW.key_id
          OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.key_hash IS DISTINCT FROM NEW.key_hash
          OR OLD.scopes IS DISTINCT FROM NEW.scopes
          OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
       EXECUTE FUNCTION "jobs"."notify_api_key_changed"()`,
    );
    await db.query(
      `CREATE TRIGGER "api_keys_notify_delete" AFTER DELETE ON "jobs"."api_keys"
       FOR EACH ROW EXECUTE FUNCTION "jobs"."notify_api_key_changed"()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER "api_keys_notify_delete" ON "jobs"."api_keys"`);
    await db.query(`DROP TRIGGER "api_keys_notify_update" ON "jobs"."api_keys"`);
    await db.query(`DROP FUNCTION "jobs"."notify_api_key_changed"()`);
  }
}
