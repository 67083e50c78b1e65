import type { HttpDrain } from '@conveyor/platform';
import type { Request, Response } from 'express';
import { isTerminal, type JobStatus } from '../job-status';
import { InvalidLastEventIdError } from '../jobs.errors';
import type { JobStatusFeed, StatusChange } from './job-status-feed';

/** A comment line every this often keeps proxies and load balancers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** How long a client's EventSource waits before it reconnects (it sends Last-Event-ID then). */
const RECONNECT_MS = 2_000;

export interface StreamRequest {
  userId: string;
  /** Only this job's changes, and the stream ends after its final status. */
  jobId?: string;
  /** The `Last-Event-ID` header: resume after this event. */
  lastEventId?: string;
}

/**
 * Serves job status changes as Server-Sent Events. Each event's id is the change's log id, so a
 * client that reconnects with `Last-Event-ID` gets every change after it, from the log, and
 * then the live ones, without a gap or a repeat: the stream subscribes to the feed first,
 * reads the log up to what the feed has delivered, then sends what the feed buffered meanwhile,
 * skipping ids it already sent.
 *
 * Without `Last-Event-ID`, a job's stream starts with the job's whole history; the stream of
 * all jobs starts with what happens from now on.
 */
export class JobStatusStreams {
  constructor(
    private readonly feed: JobStatusFeed,
    private readonly drain: HttpDrain,
  ) {}

  async serve({ userId, jobId, lastEventId }: StreamRequest, request: Request, response: Response): Promise<void> {
    const resumeAfter = parseLastEventId(lastEventId);
    let lastSent = -1n;
    let live = false;
    const buffered: StatusChange[] = [];

    const send = (change: StatusChange) => {
      if (change.id <= lastSent || response.writableEnded) return;
      lastSent = change.id;
      const data = { id: change.id.toString(), jobId: change.jobId, type: change.type, status: change.status, at: change.at };
      response.write(`id: ${change.id}\ndata: ${JSON.stringify(data)}\n\n`);
      if (jobId && isTerminal(change.status as JobStatus)) close();
    };
    const unsubscribe = this.feed.subscribe(userId, (change) => {
      if (jobId && change.jobId !== jobId) return;
      if (live) send(change);
      else buffered.push(change);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    // On shutdown the stream ends and the client's EventSource reconnects, to another instance.
    const unregister = this.drain.register(() => close());
    const close = () => {
      unsubscribe();
      unregister();
      clearInterval(heartbeat);
      if (!response.writableEnded) response.end();
    };
    request.on('close', close);

    try {
      const upTo = this.feed.delivered();
      const after = resumeAfter ?? (jobId ? 0n : upTo);
      lastSent = after;
      const past = after < upTo ? await this.feed.history(userId, { afterId: after, upToId: upTo, jobId }) : [];
      response.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      response.flushHeaders();
      response.write(`retry: ${RECONNECT_MS}\n\n`);
      past.forEach(send);
      buffered.forEach(send);
      live = true;
    } catch (error) {
      close();
      throw error;
    }
  }
}

function parseLastEventId(value: string | undefined): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,19}$/.test(value)) throw new InvalidLastEventIdError();
  return BigInt(value);
}
