import { BeforeApplicationShutdown, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import { EndpointSecrets } from '../endpoints/endpoint-secrets';
import { EndpointUrlPolicy } from '../endpoints/endpoint-url';
import { EndpointsModule } from '../endpoints/endpoints.module';
import type { WebhookDeliveryConfig } from '../webhook-delivery.config';
import { DeliveryWorker } from './delivery-worker';
import { withJitter } from './retry-schedule';
import { reportEndpointStates } from './delivery-metrics';

/**
 * The delivery worker, one per instance. It stops in `beforeApplicationShutdown` (the
 * platform's "Workers" step), while the database pool is still open, giving attempts in flight
 * a quarter of SHUTDOWN_TIMEOUT_MS.
 */
@Module({
  imports: [EndpointsModule],
  providers: [
    {
      provide: DeliveryWorker,
      inject: [DataSource, OutboxWriter, EndpointSecrets, EndpointUrlPolicy, APP_CONFIG],
      useFactory: (dataSource: DataSource, outbox: OutboxWriter, secrets: EndpointSecrets, urls: EndpointUrlPolicy, config: WebhookDeliveryConfig) =>
        new DeliveryWorker({
          dataSource,
          outbox,
          secrets,
          policy: urls.policy,
          listenUrl: config.DATABASE_URL,
          pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
          concurrency: config.WEBHOOK_CONCURRENCY,
          perEndpointConcurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY,
          timeoutMs: config.WEBHOOK_REQUEST_TIMEOUT_MS,
          leaseSeconds: Math.max(config.WEBHOOK_LEASE_SECONDS, config.WEBHOOK_REQUEST_TIMEOUT_MS / 1000 + 1),
          stopGraceMs: config.SHUTDOWN_TIMEOUT_MS / 4,
          finish: {
            schedule: config.WEBHOOK_RETRY_SCHEDULE,
            jittered: (ms) => withJitter(ms, config.WEBHOOK_RETRY_JITTER),
            maxRetryAfterMs: config.WEBHOOK_RETRY_AFTER_MAX_SECONDS * 1000,
            breaker: {
              consecutiveFailures: config.WEBHOOK_BREAKER_FAILURES,
              failureRate: config.WEBHOOK_BREAKER_FAILURE_RATE,
              minAttempts: config.WEBHOOK_BREAKER_MIN_ATTEMPTS,
              windowSeconds: config.WEBHOOK_BREAKER_WINDOW_SECONDS,
              cooldownSeconds: config.WEBHOOK_BREAKER_COOLDOWN_SECONDS,
            },
            disableAfterSeconds: config.WEBHOOK_DISABLE_AFTER_SECONDS,
          },
        }),
    },
  ],
})
export class DeliveryModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private stopReportingStates?: () => void;

  constructor(
    private readonly worker: DeliveryWorker,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.worker.start();
    this.stopReportingStates = reportEndpointStates(() =>
      this.dataSource.query(
        `SELECT CASE WHEN disabled_at IS NOT NULL THEN 'disabled' ELSE circuit_state END AS state, count(*)::int AS count
           FROM webhooks.endpoints GROUP BY 1`,
      ),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    this.stopReportingStates?.();
    return this.worker.stop();
  }

  onApplicationShutdown(): Promise<void> {
    return this.worker.stop();
  }
}
