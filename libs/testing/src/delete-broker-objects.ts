import { connect } from 'amqplib';
import { TEST_AMQP_URL } from './test-environment';

/**
 * Deletes a spec's queues and exchanges. Durable quorum queues outlive the processes that
 * declared them, so without this the shared broker would keep one set per test run.
 */
export async function deleteBrokerObjects(
  { queues = [], exchanges = [] }: { queues?: string[]; exchanges?: string[] },
  url = TEST_AMQP_URL,
): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}
