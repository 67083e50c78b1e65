import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSigningKeys1764576000000 implements MigrationInterface {
  name = 'CreateSigningKeys1764576000000';

  async up(db: QueryRunner): Promise<void> {
    // The private half is stored only encrypted (AES-256-GCM under SIGNING_KEY_ENCRYPTION_KEY);
    // the public half is the JWK that /.well-known/jwks.json publishes.
    await db.query(`CREATE TABLE "auth"."signing_keys" (
       "kid" uuid PRIMARY KEY,
       "public_jwk" jsonb NOT NULL,
       "private_key_encrypted" text NOT NULL,
       "created_at" timestamptz NOT NULL DEFAULT now())`);
    await db.query(`CREATE INDEX "signing_keys_newest_first" ON "auth"."signing_keys" ("created_at" DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth"."signing_keys"`);
  }
}
