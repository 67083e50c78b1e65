// Where the shared servers of a test run live; CI and developers can point elsewhere.

/** Superuser URL of the shared Postgres server; test databases are created beside it. */
export const TEST_DATABASE_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The shared RabbitMQ node; specs isolate themselves with uniqueName() exchanges and queues. */
export const TEST_AMQP_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
