import { connect } from 'amqplib';
import { Client } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from './throwaway-postgres';
import { startThrowawayRabbitMq, ThrowawayRabbitMq } from './throwaway-rabbitmq';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

async function selectOne(url: string): Promise<number> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    return rows[0].one;
  } finally {
    await client.end();
  }
}

describe('a throwaway Postgres server', () => {
  let postgres: ThrowawayPostgres;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
  }, 30_000);

  afterAll(() => postgres?.destroy(), 30_000);

  it('answers queries, refuses them while stopped and answers again once restarted', async () => {
    await expect(selectOne(postgres.adminUrl)).resolves.toBe(1);

    await postgres.stop('immediate');
    await expect(selectOne(postgres.adminUrl)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await postgres.start();
    await expect(selectOne(postgres.adminUrl)).resolves.toBe(1);
  }, 30_000);
});

describe('a throwaway RabbitMQ node', () => {
  let rabbit: ThrowawayRabbitMq;

  beforeAll(async () => {
    rabbit = await startThrowawayRabbitMq();
  }, 60_000);

  afterAll(() => rabbit?.destroy(), 60_000);

  it('keeps a durable quorum queue and its message across a stop and start', async () => {
    const queue = uniqueName('throwaway-check');
    const before = await connect(rabbit.url);
    const publishing = await before.createConfirmChannel();
    await publishing.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    publishing.sendToQueue(queue, Buffer.from('survives'), { persistent: true });
    await publishing.waitForConfirms();
    await before.close();

    await rabbit.stop();
    await rabbit.start();

    const after = await connect(rabbit.url);
    try {
      const channel = await after.createChannel();
      await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
      // The queue's Raft member may still be electing itself leader right after boot.
      const message = await waitFor(() => channel.get(queue, { noAck: true }), {
        description: `the message in ${queue} after the restart`,
      });
      expect(message.content.toString()).toBe('survives');
    } finally {
      await after.close();
    }
  }, 90_000);
});
