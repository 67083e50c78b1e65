import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Endpoints (with their breaker state), their signing secrets (encrypted), messages, one
 * delivery per message and endpoint (the durable schedule: `next_attempt_at` and a lease), and
 * the log of every attempt.
 */
export class CreateWebhooks1764500000000 implements MigrationInterface {
  name = 'CreateWebhooks1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks.endpoints (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('subscription', 'job_url')),
        url text NOT NULL,
        event_types text[],
        description text,
        rate_limit_per_second integer CHECK (rate_limit_per_second > 0),
        ordered boolean NOT NULL DEFAULT false,
        disabled_at timestamptz,
        disabled_reason text,
        circuit_state text NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
        circuit_open_until timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX endpoints_by_user ON webhooks.endpoints (user_id, created_at)`);
    await db.query(`CREATE UNIQUE INDEX endpoints_one_per_job_url ON webhooks.endpoints (user_id, url) WHERE kind = 'job_url'`);

    // endpoint_id NULL: the client's default secret, which signs deliveries to jobs' own webhookUrl.
    await db.query(`
      CREATE TABLE webhooks.secrets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        endpoint_id uuid REFERENCES webhooks.endpoints (id) ON DELETE CASCADE,
        sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz
      )`);
    await db.query(`CREATE UNIQUE INDEX secrets_one_current_per_endpoint ON webhooks.secrets (endpoint_id) WHERE expires_at IS NULL AND endpoint_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX secrets_one_current_default ON webhooks.secrets (user_id) WHERE expires_at IS NULL AND endpoint_id IS NULL`);
    await db.query(`CREATE INDEX secrets_by_user ON webhooks.secrets (user_id)`);

    await db.query(`
      CREATE TABLE webhooks.messages (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        event_id uuid,
        event_type text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        trace_context jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX messages_by_user ON webhooks.messages (user_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX messages_by_time ON webhooks.messages (created_at)`);

    await db.query(`
      CREATE TABLE webhooks.deliveries (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL,
        message_id uuid NOT NULL REFERENCES webhooks.messages (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES webhooks.endpoints (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        subject text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'exhausted')),
        attempts integer NOT NULL DEFAULT 0,
        round_attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        lease_holder text,
        lease_expires_at timestamptz,
        last_status_code integer,
        last_error text,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (message_id, endpoint_id)
      )`);
    await db.query(`CREATE INDEX deliveries_due ON webhooks.deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX deliveries_by_subject ON webhooks.deliveries (endpoint_id, subject, seq) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX deliveries_by_user_status ON webhooks.deliveries (user_id, status)`);

    await db.query(`
      CREATE TABLE webhooks.attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhooks.deliveries (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL,
        number integer NOT NULL,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        outcome text CHECK (outcome IN ('succeeded', 'failed', 'lost')),
        status_code integer,
        duration_ms integer,
        response_body text,
        error text,
        UNIQUE (delivery_id, number)
      )`);
    await db.query(`CREATE INDEX attempts_by_endpoint ON webhooks.attempts (endpoint_id, started_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['attempts', 'deliveries', 'messages', 'secrets', 'endpoints']) await db.query(`DROP TABLE webhooks.${table}`);
  }
}
