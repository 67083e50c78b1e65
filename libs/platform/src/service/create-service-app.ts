import { Global, Logger as NestLogger, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule, type ServiceConfig } from '@conveyor/config';
import { AmqpConnection, DeadLetterQueue, EventServer, MessagingModule, TOPOLOGY_NAMES, type TopologyNames } from '@conveyor/messaging';
import { OutboxModule, OutboxRelay } from '@conveyor/outbox';
import { dataSourceOptions } from '@conveyor/persistence';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AccessTokenModule } from '../access-token/access-token.module';
import { setupApiDocs } from '../api-docs/setup-api-docs';
import { HealthController } from '../health/health.controller';
import { bodyParserErrors } from '../http/body-parser-errors';
import { refuseDeepBodies } from '../http/body-depth';
import { answerClientErrorsWithProblems } from '../http/client-errors';
import { HttpDrain } from '../http/http-drain';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { loggerModule } from '../logging/logger.module';
import { httpMetrics } from '../metrics/http-metrics';
import { MetricsController } from '../metrics/metrics.controller';
import { OPERATIONS_OPTIONS, OperationsController } from '../operations/operations.controller';
import type { ServiceDefinition } from './service-definition';

export const BODY_LIMIT = '1mb';

@Module({})
class ServiceRootModule {}

/** What the platform offers every service's modules. */
@Global()
@Module({ providers: [HttpDrain], exports: [HttpDrain] })
class PlatformModule {}

/** A service assembled and ready to `start()`; `stop()` shuts it down in a safe order. */
export interface RunningService {
  app: NestExpressApplication;
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function createServiceApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
): Promise<RunningService> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule(definition, config), {
    bufferLogs: true,
    bodyParser: false,
    // Keeps each JSON body's bytes as `req.rawBody`, for routes that check a signature over them.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.use(httpMetrics);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(bodyParserErrors);
  app.use(refuseDeepBodies);
  app.disable('x-powered-by');
  answerClientErrorsWithProblems(app.getHttpServer() as Server);
  // The client IP (rate limits, brute-force locks) is the socket's unless proxies are trusted.
  app.set('trust proxy', config.HTTP_TRUST_PROXY);

  const events = new EventServer({
    connection: app.get(AmqpConnection),
    names: app.get(TOPOLOGY_NAMES),
    dataSource: app.get(DataSource),
    schema: definition.schema,
    consumer: definition.name,
    deliveryLimit: config.AMQP_DELIVERY_LIMIT,
    prefilter: definition.eventPrefilter && app.get(definition.eventPrefilter),
  });
  app.connectMicroservice({ strategy: events }, { inheritAppConfig: true });
  setupApiDocs(app, definition, () => [...events.getHandlers().keys()]);

  let stopping: Promise<void> | undefined;
  return {
    app,
    async start() {
      await app.startAllMicroservices();
      await app.listen(config.HTTP_PORT, config.HTTP_HOST);
      return app.getUrl();
    },
    stop() {
      stopping ??= stopInOrder(app, events, app.get(OutboxRelay), config.SHUTDOWN_TIMEOUT_MS);
      return stopping;
    },
  };
}

function rootModule<C extends ServiceConfig>(definition: ServiceDefinition<C>, config: C): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      ConfigModule.forConfig(config),
      PlatformModule,
      loggerModule(definition.name, config.LOG_LEVEL),
      TypeOrmModule.forRoot({
        ...dataSourceOptions({
          url: config.DATABASE_URL,
          schema: definition.schema,
          applicationName: definition.name,
          entities: definition.entities,
          migrations: definition.migrations,
        }),
        retryAttempts: 30,
        retryDelay: 1_000,
      }),
      AccessTokenModule.forConfig(config, definition.accessTokenKeys),
      MessagingModule.forRoot({
        url: config.AMQP_URL,
        namespace: config.AMQP_NAMESPACE,
        service: definition.name,
        deliveryLimit: config.AMQP_DELIVERY_LIMIT,
        eventsWithoutConsumers: definition.eventsWithoutConsumers,
      }),
      OutboxModule.forRoot({
        schema: definition.schema,
        listenUrl: config.DATABASE_URL,
        pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
        retentionHours: config.OUTBOX_RETENTION_HOURS,
        maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      }),
      ...definition.modules(config),
    ],
    controllers: [HealthController, MetricsController, OperationsController],
    providers: [
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      {
        provide: DeadLetterQueue,
        inject: [TOPOLOGY_NAMES],
        useFactory: (names: TopologyNames) => new DeadLetterQueue(config.AMQP_URL, names, config.AMQP_DELIVERY_LIMIT),
      },
      {
        provide: OPERATIONS_OPTIONS,
        useValue: { schema: definition.schema, consumer: definition.name, outboxMaxAttempts: config.OUTBOX_MAX_ATTEMPTS },
      },
    ],
  };
}

/**
 * Graceful shutdown: stop accepting requests, end open event streams and let in-flight requests finish, stop consuming
 * and let in-flight handlers commit and ack, stop background workers, publish what the outbox
 * holds, then close the database and broker connections. A stuck step cannot hold the process forever.
 */
async function stopInOrder(app: NestExpressApplication, events: EventServer, relay: OutboxRelay, timeoutMs: number) {
  const logger = new NestLogger('Shutdown');
  const steps = (async () => {
    const http = app.getHttpServer() as Server;
    // Keep-alive connections whose last response ends during the drain turn idle and would
    // hold the close, so idle ones are closed again until the server is closed.
    const sweep = setInterval(() => http.closeIdleConnections(), 100);
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      app.get(HttpDrain).endAll();
      http.closeIdleConnections();
    });
    clearInterval(sweep);
    await events.close();
    // Background workers (job runners, payment pollers) stop in their
    // beforeApplicationShutdown hooks and may still commit events while they wind down. Nest
    // would run those hooks only inside app.close(), after the relay's last flush, so they are
    // run here first; app.close() runs them again, which is why such hooks are idempotent.
    await (app as unknown as { callBeforeShutdownHook(): Promise<void> }).callBeforeShutdownHook();
    await relay.stop();
    await app.close();
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`shutdown took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([steps, deadline]);
  } catch (error) {
    logger.error(`Forced shutdown: ${(error as Error).message}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
