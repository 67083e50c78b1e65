import { balancedCall } from './balanced-call';
import type { ChaosClient, SubmittedJob } from './clients';
import { SERVICES, type Cluster } from './cluster';

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** One line of figures. */
  summary: string;
  /** What failed, with ids, at most a screenful. */
  details: string[];
}

const FINAL = ['succeeded', 'failed', 'canceled', 'rejected'];
const OUTBOX_SCHEMAS = ['auth', 'users', 'billing', 'jobs', 'webhooks'];
const MAX_DETAILS = 25;

interface JobRow {
  id: string;
  status: string;
  user_id: string;
  error_code: string | null;
  reason: string | null;
  attempts: number;
}

/** Reads the state of the whole platform and checks every invariant of the chaos run. */
export async function checkInvariants(cluster: Cluster, clients: ChaosClient[], submitted: SubmittedJob[], adminToken: string): Promise<InvariantResult[]> {
  const userIds = clients.map((client) => client.userId);
  const jobs = await cluster.query<JobRow>(
    `SELECT id, status, user_id, error_code, reason, attempts FROM jobs.jobs WHERE user_id = ANY($1::uuid[])`,
    [userIds],
  );
  const byId = new Map(jobs.map((job) => [job.id, job]));
  return [
    finalStates(jobs, submitted, byId),
    webhooksDelivered(jobs, clients),
    await ledger(cluster, jobs),
    await outboxesAndDeadLetters(cluster, adminToken),
    await profiles(cluster),
  ];
}

function finalStates(jobs: JobRow[], submitted: SubmittedJob[], byId: Map<string, JobRow>): InvariantResult {
  const stuck = jobs.filter((job) => !FINAL.includes(job.status));
  const missing = submitted.filter((job) => !byId.has(job.id));
  const cancelIgnored = submitted.filter((job) => job.cancelStatus === 200 && byId.get(job.id)?.status !== 'canceled');
  const counts = countBy(jobs, (job) => job.status);
  return {
    name: 'every submitted job is in a final state, none stuck',
    ok: stuck.length === 0 && missing.length === 0 && cancelIgnored.length === 0,
    summary: `${jobs.length} jobs in the database for ${submitted.length} acknowledged submissions: ${format(counts)}`,
    details: [
      ...stuck.map((job) => `stuck: job ${job.id} is ${job.status} (attempts ${job.attempts})`),
      ...missing.map((job) => `missing: job ${job.id} was acknowledged (202) but is not in jobs.jobs`),
      ...cancelIgnored.map((job) => `cancel lost: job ${job.id} got 200 on cancel but is ${byId.get(job.id)?.status}`),
    ].slice(0, MAX_DETAILS),
  };
}

function webhooksDelivered(jobs: JobRow[], clients: ChaosClient[]): InvariantResult {
  const receiverOf = new Map(clients.map((client) => [client.userId, client.receiver]));
  const missing: string[] = [];
  const contradicting: string[] = [];
  let deliveredMessages = 0;
  for (const job of jobs.filter((j) => FINAL.includes(j.status))) {
    const seen = receiverOf.get(job.user_id)?.byJob.get(job.id);
    const expected = `jobs.job.${job.status}.v1`;
    if (!seen?.has(expected)) missing.push(`missing: job ${job.id} (${job.status}) — its receiver got ${seen ? [...seen.keys()].join(', ') : 'nothing'}`);
    const outcomes = seen ? [...seen.keys()].filter((type) => FINAL.some((status) => type === `jobs.job.${status}.v1`)) : [];
    if (outcomes.length > 1) contradicting.push(`contradicting: job ${job.id} announced as ${outcomes.join(' and ')}`);
    deliveredMessages += seen ? [...seen.values()].reduce((sum, ids) => sum + ids.size, 0) : 0;
  }
  const stats = clients.map((client) => client.receiver.stats);
  const duplicates = stats.reduce((sum, s) => sum + s.duplicates, 0);
  const badSignatures = stats.reduce((sum, s) => sum + s.badSignatures, 0);
  return {
    name: "every final job's event reached its receiver (dedup by webhook-id)",
    ok: missing.length === 0 && contradicting.length === 0 && badSignatures === 0,
    summary: `${deliveredMessages} distinct messages; ${duplicates} duplicate requests dropped by webhook-id; ${badSignatures} bad signatures; requests failed on purpose ${stats.reduce((s, x) => s + x.failedOnPurpose, 0)}, held while hanging ${stats.reduce((s, x) => s + x.hung, 0)}`,
    details: [...missing, ...contradicting, ...(badSignatures ? [`${badSignatures} requests did not verify`] : [])].slice(0, MAX_DETAILS),
  };
}

async function ledger(cluster: Cluster, jobs: JobRow[]): Promise<InvariantResult> {
  const entries = await cluster.query<{ job_id: string; reserves: number; captures: number; releases: number }>(
    `SELECT job_id, count(*) FILTER (WHERE kind = 'reserve')::int AS reserves, count(*) FILTER (WHERE kind = 'capture')::int AS captures,
            count(*) FILTER (WHERE kind = 'release')::int AS releases
       FROM billing.ledger_entries WHERE job_id IS NOT NULL GROUP BY job_id`,
  );
  const byJob = new Map(entries.map((entry) => [entry.job_id, entry]));
  const problems: string[] = [];
  for (const job of jobs.filter((j) => FINAL.includes(j.status))) {
    const { reserves = 0, captures = 0, releases = 0 } = byJob.get(job.id) ?? {};
    const line = `job ${job.id} (${job.status}${job.reason ? `, ${job.reason}` : ''}): ${reserves} reserve, ${captures} capture, ${releases} release`;
    if (job.status === 'succeeded' && !(reserves === 1 && captures === 1 && releases === 0)) problems.push(line);
    if (job.status !== 'succeeded' && !(reserves <= 1 && captures === 0 && releases === reserves)) problems.push(line);
  }
  const open = entries.filter((entry) => entry.reserves > entry.captures + entry.releases);
  for (const entry of open) if (!problems.some((p) => p.includes(entry.job_id))) problems.push(`open reservation: job ${entry.job_id}`);
  const balances = await cluster.query<{ user_id: string; available: number; reserved: number; sum_amount: number; sum_held: number }>(
    `SELECT a.user_id, a.available, a.reserved, coalesce(sum(e.amount), 0)::int AS sum_amount, coalesce(sum(e.held), 0)::int AS sum_held
       FROM billing.accounts a LEFT JOIN billing.ledger_entries e ON e.user_id = a.user_id
      GROUP BY a.user_id, a.available, a.reserved`,
  );
  const wrong = balances.filter((b) => b.available !== b.sum_amount || b.reserved !== b.sum_held);
  for (const b of wrong) problems.push(`balance: account ${b.user_id} available ${b.available} vs ledger ${b.sum_amount}, reserved ${b.reserved} vs ledger ${b.sum_held}`);
  const captured = entries.reduce((sum, e) => sum + e.captures, 0);
  const released = entries.reduce((sum, e) => sum + e.releases, 0);
  return {
    name: 'ledger: succeeded captured once, others released once, no open reservation, balances = ledger sums',
    ok: problems.length === 0,
    summary: `${entries.length} jobs in the ledger: ${captured} captures, ${released} releases, ${open.length} open reservations; ${balances.length} accounts, ${wrong.length} off their ledger`,
    details: problems.slice(0, MAX_DETAILS),
  };
}

async function outboxesAndDeadLetters(cluster: Cluster, adminToken: string): Promise<InvariantResult> {
  const details: string[] = [];
  const backlog: string[] = [];
  for (const schema of OUTBOX_SCHEMAS) {
    const rows = await cluster.query<{ event_id: string; event_type: string; attempts: number; last_error: string | null }>(
      `SELECT event_id, event_type, attempts, last_error FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY seq`,
    );
    backlog.push(`${schema} ${rows.length}`);
    for (const row of rows.slice(0, 10)) {
      details.push(`unpublished: ${schema}.outbox event ${row.event_id} (${row.event_type}, ${row.attempts} attempts, ${row.last_error ?? 'no error'})`);
    }
  }
  const letters: string[] = [];
  for (const service of SERVICES) {
    const answer = await balancedCall(cluster.instancesOf(service), '/admin/dead-letters', { token: adminToken, deadlineMs: 30_000 });
    const items = (answer.body['items'] as { id: string; type: string; reason: string; deliveries: number; failure: unknown }[]) ?? [];
    if (answer.status !== 200) details.push(`${service}: /admin/dead-letters answered ${answer.status}`);
    letters.push(`${service} ${items.length}`);
    for (const item of items) details.push(`dead letter in ${service}: event ${item.id} (${item.type}), ${item.reason} after ${item.deliveries} deliveries; failure ${JSON.stringify(item.failure)}`);
  }
  const exhausted = await cluster.query<{ id: string; message_id: string; last_error: string | null; last_status_code: number | null }>(
    `SELECT id, message_id, last_error, last_status_code FROM webhooks.deliveries WHERE status = 'exhausted' LIMIT 10`,
  );
  for (const row of exhausted) details.push(`exhausted webhook delivery ${row.id} (message ${row.message_id}): ${row.last_status_code ?? ''} ${row.last_error ?? ''}`);
  return {
    name: 'no unpublished outbox rows; dead-letter queues empty',
    ok: details.length === 0,
    summary: `unpublished outbox rows: ${backlog.join(', ')}; dead letters: ${letters.join(', ')}; exhausted webhook deliveries: ${exhausted.length}`,
    details: details.slice(0, MAX_DETAILS),
  };
}

async function profiles(cluster: Cluster): Promise<InvariantResult> {
  const users = await cluster.query<{ id: string; email: string; profile: string | null; account: string | null }>(
    `SELECT c.id, c.email, p.user_id AS profile, a.user_id AS account
       FROM auth.credentials c LEFT JOIN users.profiles p ON p.user_id = c.id LEFT JOIN billing.accounts a ON a.user_id = c.id`,
  );
  const noProfile = users.filter((user) => !user.profile);
  const noAccount = users.filter((user) => !user.account);
  return {
    name: 'every registered user has a profile (and a billing account)',
    ok: noProfile.length === 0 && noAccount.length === 0,
    summary: `${users.length} registered users; ${noProfile.length} without a profile, ${noAccount.length} without an account`,
    details: [
      ...noProfile.map((user) => `no profile: user ${user.id} (${user.email})`),
      ...noAccount.map((user) => `no billing account: user ${user.id} (${user.email})`),
    ].slice(0, MAX_DETAILS),
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function format(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${n} ${key}`)
    .join(', ');
}
