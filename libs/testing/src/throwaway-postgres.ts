import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port';
import { run, runAs, shellQuote } from './run-command';

const POSTGRES_BIN = process.env['POSTGRES_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';

export type PostgresStopMode = 'fast' | 'immediate';

/** A private Postgres server for specs that stop or crash the database. */
export interface ThrowawayPostgres {
  readonly port: number;
  /** Superuser URL of its `postgres` database (trust auth). */
  readonly adminUrl: string;
  /** Starts the server again after stop(), on the same port and data. */
  start(): Promise<void>;
  /** `fast` is a clean shutdown; `immediate` simulates a crash (recovery on next start). */
  stop(mode?: PostgresStopMode): Promise<void>;
  /** Stops it if running and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * initdb into a temporary directory and start a server on a free port, listening on 127.0.0.1
 * only, with its socket in that directory so it never meets the shared server's. fsync is off:
 * the data is thrown away, and a crash test stops Postgres, not the machine.
 * The server runs as the `postgres` OS user because Postgres refuses to run as root.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'throwaway-pg-'));
  try {
    await chmod(dir, 0o755);
    await run('chown', ['postgres:postgres', dir]);
    const [port] = await freePorts(1);
    const server = new PostgresServer(dir, port);
    await server.init();
    await server.start();
    return server;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class PostgresServer implements ThrowawayPostgres {
  readonly adminUrl: string;
  private readonly dataDir: string;
  private readonly logFile: string;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'log');
  }

  async init(): Promise<void> {
    const initdb = join(POSTGRES_BIN, 'initdb');
    await this.asPostgres([initdb, '-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  async start(): Promise<void> {
    // pg_ctl hands -o to a shell, hence the inner quoting of the socket directory.
    const serverOptions = [
      `-p ${this.port}`,
      `-k ${shellQuote(this.dir)}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
    ].join(' ');
    try {
      await this.pgCtl(['-o', serverOptions, '-l', this.logFile, '-w', '-t', '60', 'start']);
    } catch (error) {
      const log = await readFile(this.logFile, 'utf8').catch(() => '');
      const message = `throwaway Postgres did not start: ${String(error)}\n${lastLines(log, 20)}`;
      throw new Error(message, { cause: error });
    }
  }

  async stop(mode: PostgresStopMode = 'fast'): Promise<void> {
    await this.pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    // Fails harmlessly when it is already stopped.
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private pgCtl(args: string[]): Promise<string> {
    return this.asPostgres([join(POSTGRES_BIN, 'pg_ctl'), '-D', this.dataDir, ...args]);
  }

  private asPostgres(command: string[]): Promise<string> {
    return runAs('postgres', command.map(shellQuote).join(' '), { cwd: this.dir });
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
