import { ConfigValidationError, loadConfig, type ServiceConfig } from '@conveyor/config';
import Joi, { type ObjectSchema } from 'joi';
import { runMigrations } from '@conveyor/persistence';
import { createServiceApp } from './create-service-app';
import type { ServiceDefinition } from './service-definition';

/**
 * The whole of a service's `main.ts`: parse the environment (refusing to start, with every
 * bad variable named, when it does not fit), then either apply migrations (`main migrate`)
 * or run the service until SIGTERM/SIGINT.
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  if (argv[0] === 'migrate') {
    // Migrating needs the database and nothing else, so it asks for nothing else.
    const config = parseOrExplain<{ DATABASE_URL: string }>(
      definition.name,
      Joi.object({ DATABASE_URL: definition.envSchema.extract('DATABASE_URL') }),
    );
    if (!config) return;
    const applied = await runMigrations({
      url: config.DATABASE_URL,
      schema: definition.schema,
      applicationName: `${definition.name}-migrate`,
      migrations: definition.migrations,
    });
    logLine(definition.name, 'info', `migrations applied: ${applied.length ? applied.join(', ') : 'none pending'}`);
    return;
  }

  const config = parseOrExplain(definition.name, definition.envSchema);
  if (!config) return;

  const command = argv[0] === undefined ? undefined : definition.commands?.[argv[0]];
  if (command) {
    try {
      logLine(definition.name, 'info', await command(config, argv.slice(1)));
    } catch (error) {
      logLine(definition.name, 'fatal', `${argv[0]} failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
    return;
  }

  const service = await createServiceApp(definition, config);
  const url = await service.start();
  logLine(definition.name, 'info', `${definition.name} listening on ${url}`);

  const shutdown = (signal: string) => {
    logLine(definition.name, 'info', `${signal} received, shutting down`);
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function parseOrExplain<T>(service: string, schema: ObjectSchema<T>): T | undefined {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    logLine(service, 'fatal', error.message, { code: error.code, problems: error.problems });
    process.exitCode = 1;
    return undefined;
  }
}

/** Lines written before (or without) Nest's logger, in the same JSON shape. */
function logLine(service: string, level: 'info' | 'fatal', message: string, extra: object = {}): void {
  const line = JSON.stringify({ level, time: Date.now(), service, message, ...extra });
  (level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`);
}
