// Event hop: from an outbox row's commit to the consumer's inbox row, read from the database
// (both services' schemas live in the bench's one database), beside the raw broker round trip
// measured with amqplib in the same run (persistent messages, publisher confirms, a quorum
// queue like the services' own).
import amqp from 'amqplib';
import { summarize } from './stats.mjs';

/**
 * The two hops of the job saga's first leg, for the given job ids:
 *  - jobs.job.submitted.v1: jobs.outbox → billing.inbox
 *  - billing.credits.reserved.v1: billing.outbox → jobs.inbox
 * `created_at` and `processed_at` are both `now()` of their transactions (the transaction's
 * start), so a hop includes the producer's transaction and excludes the consumer's; the two
 * are a few milliseconds each. `published_at` is the relay's transaction start, which splits a
 * hop into "until the relay picked the row up" and "broker and consumer".
 */
export async function eventHops(db, jobIds) {
  if (jobIds.length === 0) return undefined;
  const legs = [
    { type: 'jobs.job.submitted.v1', outbox: 'jobs.outbox', inbox: 'billing.inbox' },
    { type: 'billing.credits.reserved.v1', outbox: 'billing.outbox', inbox: 'jobs.inbox' },
  ];
  const out = {};
  const all = [];
  for (const leg of legs) {
    const { rows } = await db.query(
      `SELECT extract(epoch FROM (i.processed_at - o.created_at)) * 1000 AS hop,
              extract(epoch FROM (o.published_at - o.created_at)) * 1000 AS relay
       FROM ${leg.outbox} o JOIN ${leg.inbox} i ON i.event_id = o.event_id
       WHERE o.event_type = $1 AND o.envelope->>'subject' = ANY($2::text[])`,
      [leg.type, jobIds],
    );
    const hops = rows.map((r) => Number(r.hop));
    all.push(...hops);
    out[leg.type] = { hopMs: summarize(hops), untilRelayPickedUpMs: summarize(rows.map((r) => Number(r.relay))) };
  }
  out.combined = summarize(all);
  return out;
}

/**
 * Raw broker round trip: one persistent message at a time to a quorum queue on a confirm
 * channel, timed from publish to delivery to a consumer on a second connection (and from
 * publish to the confirm). `count` messages after a short warm-up.
 */
export async function brokerRoundTrip({ amqpUrl, namespace, count }) {
  const queue = `${namespace ? `${namespace}.` : ''}bench.round-trip`;
  const producer = await amqp.connect(amqpUrl);
  const consumer = await amqp.connect(amqpUrl);
  try {
    const pub = await producer.createConfirmChannel();
    const sub = await consumer.createChannel();
    await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await pub.purgeQueue(queue);
    await sub.prefetch(20);
    let waiting;
    let lost;
    await sub.consume(queue, (msg) => {
      // null: the broker cancelled the consumer; fail the phase instead of the whole process.
      if (msg === null) return lost?.(new Error(`the broker cancelled the consumer of ${queue}`));
      sub.ack(msg);
      waiting?.(performance.now());
    });
    const trips = [];
    const confirms = [];
    const warmUp = Math.min(50, Math.ceil(count / 10));
    for (let i = 0; i < warmUp + count; i++) {
      const delivered = new Promise((resolve, reject) => {
        waiting = resolve;
        lost = reject;
      });
      const start = performance.now();
      const confirmed = new Promise((resolve, reject) =>
        pub.sendToQueue(queue, Buffer.from(JSON.stringify({ i, padding: 'x'.repeat(600) })), { persistent: true }, (error) =>
          error ? reject(error) : resolve(performance.now()),
        ),
      );
      const [deliveredAt, confirmedAt] = await Promise.all([delivered, confirmed]);
      if (i >= warmUp) {
        trips.push(deliveredAt - start);
        confirms.push(confirmedAt - start);
      }
    }
    await pub.deleteQueue(queue);
    return { messages: count, roundTripMs: summarize(trips), confirmMs: summarize(confirms) };
  } finally {
    await producer.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
  }
}
