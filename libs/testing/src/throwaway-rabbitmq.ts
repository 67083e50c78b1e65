import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, isPortOpen } from './free-port';
import { run } from './run-command';
import { waitFor } from './wait-for';

// A RabbitMQ node boots in about six seconds here; leave room for a busy machine.
const BOOT_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** A private RabbitMQ node for specs that stop or restart the broker. */
export interface ThrowawayRabbitMq {
  /** amqp://guest:guest@127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Starts the node again after stop(); durable queues and their messages are still there. */
  start(): Promise<void>;
  /** Stops the node cleanly and waits until its AMQP port is closed. */
  stop(): Promise<void>;
  /** Kills it if running (its data is going anyway) and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts a single RabbitMQ node beside the shared one: its own node name, AMQP and distribution
 * ports, and data, config and logs in a temporary directory. No plugins are enabled, which saves
 * seconds at boot. The node keeps its name and data directory, so a restart recovers its state.
 */
export async function startThrowawayRabbitMq(): Promise<ThrowawayRabbitMq> {
  const dir = await mkdtemp(join(tmpdir(), 'throwaway-rabbitmq-'));
  try {
    const [port, distPort] = await freePorts(2);
    const nodeName = `throwaway-${randomBytes(4).toString('hex')}@localhost`;
    const node = new RabbitMqNode(dir, nodeName, port, distPort);
    await node.prepare();
    await node.start();
    return node;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class RabbitMqNode implements ThrowawayRabbitMq {
  readonly url: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pidFile: string;

  constructor(
    private readonly dir: string,
    private readonly nodeName: string,
    readonly port: number,
    distPort: number,
  ) {
    this.url = `amqp://guest:guest@127.0.0.1:${port}`;
    this.pidFile = join(dir, 'pid');
    // The server and rabbitmqctl get the same environment, so the CLI finds the node by name.
    // The wrappers in /usr/sbin run both as the rabbitmq user (su resets HOME to its home), so
    // they share that user's Erlang cookie. RABBITMQ_CONF_ENV_FILE=/dev/null keeps the shared
    // node's rabbitmq-env.conf out.
    this.env = {
      ...process.env,
      HOME: join(dir, 'home'),
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: this.pidFile,
      RABBITMQ_CONF_ENV_FILE: '/dev/null',
    };
  }

  async prepare(): Promise<void> {
    await chmod(this.dir, 0o755);
    await Promise.all(['home', 'log', 'mnesia'].map((sub) => mkdir(join(this.dir, sub))));
    await writeFile(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${this.port}\n`);
    await writeFile(join(this.dir, 'enabled_plugins'), '[].\n');
    await run('chown', ['-R', 'rabbitmq:rabbitmq', this.dir]);
  }

  async start(): Promise<void> {
    await run('rabbitmq-server', ['-detached'], { env: this.env });
    await waitFor(() => isPortOpen(this.port), {
      description:
        `RabbitMQ node ${this.nodeName} to accept connections on port ${this.port}` +
        ` (logs in ${join(this.dir, 'log')})`,
      timeoutMs: BOOT_TIMEOUT_MS,
      intervalMs: 100,
    });
  }

  async stop(): Promise<void> {
    // With the pid file, rabbitmqctl returns only once the Erlang VM has exited.
    await run('rabbitmqctl', ['-n', this.nodeName, 'stop', this.pidFile], {
      env: this.env,
      timeoutMs: SHUTDOWN_TIMEOUT_MS,
    });
    await this.waitUntilPortClosed();
  }

  async destroy(): Promise<void> {
    // The data is about to be deleted, so a clean shutdown buys nothing; killing the VM saves
    // the seconds rabbitmqctl needs. Without a pid (boot never got that far) try the CLI anyway.
    const pid = await this.readPid();
    if (pid === undefined) {
      await this.stop().catch(() => undefined);
    } else {
      killIfRunning(pid);
      // Not waiting for the pid: the VM is re-parented to init, which may reap it late.
      await this.waitUntilPortClosed();
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async waitUntilPortClosed(): Promise<void> {
    await waitFor(async () => !(await isPortOpen(this.port)), {
      description: `RabbitMQ node ${this.nodeName} to close port ${this.port}`,
      timeoutMs: SHUTDOWN_TIMEOUT_MS,
    });
  }

  private async readPid(): Promise<number | undefined> {
    const text = await readFile(this.pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }
}

function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
