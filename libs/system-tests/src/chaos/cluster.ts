import { createTestDatabase, freePorts, startThrowawayPostgres, startThrowawayRabbitMq, uniqueName, waitFor } from '@conveyor/testing';
import type { TestDatabase, ThrowawayPostgres, ThrowawayRabbitMq } from '@conveyor/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { baseEnv, REPO_ROOT, runServiceCommand, type ServiceName } from '../support/service-process';

export const SERVICES: ServiceName[] = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'];

/** One process of a service; it keeps its port across restarts, so clients find it again. */
export interface Instance {
  readonly id: string;
  readonly service: ServiceName;
  readonly url: string;
  readonly port: number;
  up: boolean;
  child?: ChildProcess;
  exited?: Promise<void>;
}

/**
 * The platform under fire: a throwaway Postgres server and RabbitMQ node of the run's own, and
 * two processes of every service. Each process logs to its own file under `logDir`, across its
 * restarts, so a failed invariant can be followed into the logs.
 */
export class Cluster {
  readonly instances: Instance[] = [];
  private env: NodeJS.ProcessEnv = {};

  private constructor(
    readonly postgres: ThrowawayPostgres,
    readonly broker: ThrowawayRabbitMq,
    readonly db: TestDatabase,
    private readonly logDir: string,
    private readonly startTimeoutMs: number,
  ) {}

  static async start(options: { logDir: string; instancesPerService: number; env: NodeJS.ProcessEnv; startTimeoutMs: number }): Promise<Cluster> {
    const [postgres, broker] = await Promise.all([startThrowawayPostgres(), startThrowawayRabbitMq()]);
    // Ten processes with a pool of ten each, plus LISTEN connections and the checker's own.
    await superuserQuery(postgres.adminUrl, 'ALTER SYSTEM SET max_connections = 400');
    await postgres.stop('fast');
    await postgres.start();
    const db = await createTestDatabase({ serverUrl: postgres.adminUrl });
    const cluster = new Cluster(postgres, broker, db, options.logDir, options.startTimeoutMs);
    try {
      await cluster.boot(options.instancesPerService, options.env);
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  private async boot(perService: number, extraEnv: NodeJS.ProcessEnv): Promise<void> {
    const ports = await freePorts(SERVICES.length * perService);
    SERVICES.forEach((service, s) => {
      for (let i = 0; i < perService; i++) {
        const port = ports[s * perService + i];
        this.instances.push({ id: `${service}-${i + 1}`, service, port, url: `http://127.0.0.1:${port}`, up: false });
      }
    });
    const authPort = this.instancesOf('auth')[0].port;
    this.env = {
      AMQP_URL: this.broker.url,
      AMQP_NAMESPACE: uniqueName('chaos'),
      AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
      ...extraEnv,
    };
    for (const service of SERVICES) {
      const { exit, output } = runServiceCommand(service, this.envOf(service), ['migrate']);
      const code = await exit;
      if (code !== 0) throw new Error(`${service} migrate exited with ${code}:\n${output.join('\n')}`);
    }
    // Auth first: the others fetch its keys. Then the rest, a few at a time on a busy machine.
    await Promise.all(this.instancesOf('auth').map((instance) => this.startInstance(instance)));
    const rest = this.instances.filter((instance) => instance.service !== 'auth');
    for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map((instance) => this.startInstance(instance)));
  }

  instancesOf(service: ServiceName): Instance[] {
    return this.instances.filter((instance) => instance.service === service);
  }

  private envOf(service: ServiceName): NodeJS.ProcessEnv {
    return { ...baseEnv(), ...this.env, DATABASE_URL: this.db.urlFor(service) };
  }

  /** Spawns the instance's process and waits until it is ready. */
  async startInstance(instance: Instance): Promise<void> {
    const log = createWriteStream(join(this.logDir, `${instance.id}.log`), { flags: 'a' });
    log.write(`\n=== ${new Date().toISOString()} start ===\n`);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `services/${instance.service}/src/main.ts`], {
      cwd: REPO_ROOT,
      env: { ...this.envOf(instance.service), HTTP_PORT: String(instance.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    let gone = false;
    instance.child = child;
    instance.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        gone = true;
        instance.up = false;
        log.end(`=== ${new Date().toISOString()} exit ${code ?? signal} ===\n`);
        resolve();
      }),
    );
    await waitFor(
      async () => {
        if (gone) throw new Error(`${instance.id} exited during start (see ${instance.id}.log)`);
        return (await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200;
      },
      { description: `${instance.id} to become ready`, timeoutMs: this.startTimeoutMs, intervalMs: 250 },
    );
    instance.up = true;
  }

  /** SIGKILL: no shutdown step runs, as in a crash or an OOM kill. */
  async kill(instance: Instance): Promise<void> {
    instance.up = false;
    instance.child?.kill('SIGKILL');
    await instance.exited;
  }

  /** Every instance answers /health/ready with 200 (database and broker reachable again). */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(
      this.instances.map((instance) =>
        fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })
          .then((response) => response.status === 200)
          .catch(() => false),
      ),
    );
    return answers.every(Boolean);
  }

  /** A query on the run's database as superuser (every service's schema is in it). */
  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return superuserQuery<T>(this.db.adminUrl, sql, params);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.instances.map(async (instance) => {
        instance.child?.kill('SIGTERM');
        const timer = setTimeout(() => instance.child?.kill('SIGKILL'), 15_000);
        await instance.exited;
        clearTimeout(timer);
      }),
    );
    await Promise.all([this.postgres.destroy(), this.broker.destroy()]);
  }
}

export async function superuserQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
