import { randomUUID } from 'node:crypto';
import { pickKind, registerUser, submitJob, type ChaosClient, type SubmittedJob } from './clients';
import type { Cluster } from './cluster';

export interface LoadResult {
  submitted: SubmittedJob[];
  /** Submissions that never got a 202 within their deadline (the client gave up). */
  failures: string[];
  registeredUsers: number;
  registrationFailures: string[];
  /** Jobs planned but never submitted because the stream's time was up (a slow machine). */
  notSubmitted: number;
}

/**
 * The steady stream: `jobs` submissions spread evenly over `durationMs`, round robin over the
 * clients, each client with at most `inFlightPerClient` submissions open (so an outage makes
 * the stream lag, not pile up). Beside it, a new user registers every few seconds, for the
 * profile invariant.
 */
export async function runLoad(cluster: Cluster, clients: ChaosClient[], options: { jobs: number; durationMs: number; inFlightPerClient: number }, log: (line: string) => void): Promise<LoadResult> {
  const result: LoadResult = { submitted: [], failures: [], registeredUsers: 0, registrationFailures: [], notSubmitted: 0 };
  const started = Date.now();
  const perClient = clients.map(() => 0);
  const open = new Set<Promise<void>>();
  let done = false;

  const registrations = (async () => {
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * 2_000));
      const email = `chaos-user-${randomUUID().slice(0, 12)}@example.com`;
      await registerUser(cluster, email).then(
        () => result.registeredUsers++,
        (error) => result.registrationFailures.push(`${email}: ${String(error)}`),
      );
    }
  })();

  for (let seq = 0; seq < options.jobs; seq++) {
    // A machine too slow for the pace ends the stream with the fault window, not hours later.
    if (Date.now() > started + options.durationMs * 1.1) {
      result.notSubmitted = options.jobs - seq;
      log(`stream ends with the fault window: ${result.notSubmitted} planned jobs not submitted`);
      break;
    }
    const due = started + (options.durationMs * seq) / options.jobs;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const client = clients[seq % clients.length];
    while (perClient[client.index] >= options.inFlightPerClient) await Promise.race(open);
    perClient[client.index]++;
    const kind = pickKind();
    const submission: Promise<void> = submitJob(cluster, client, kind, seq)
      .then(
        (job) => void result.submitted.push(job),
        (error) => void result.failures.push(`client ${client.index} seq ${seq} ${kind}: ${String(error)}`),
      )
      .finally(() => {
        perClient[client.index]--;
        open.delete(submission);
      });
    open.add(submission);
    if (seq > 0 && seq % 500 === 0) log(`${Math.round((Date.now() - started) / 1000)}s ${seq} submissions started`);
  }
  await Promise.all(open);
  done = true;
  await registrations;
  return result;
}
