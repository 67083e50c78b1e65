import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, resources, tracing } from '@opentelemetry/sdk-node';

const UNTRACED_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * Starts the OpenTelemetry SDK. Call it before anything else is imported (first statement of
 * every `main.ts`) so that `http` and `pg` are patched before Nest and TypeORM load them.
 *
 * The AMQP hop is traced by @conveyor/messaging itself rather than by the amqplib
 * instrumentation: with an outbox, the publish span must be parented by the context stored on
 * the outbox row (the request that caused the event), not by the relay's polling loop.
 *
 * Spans are always recorded (log lines carry trace ids and the context travels with events);
 * they are exported over OTLP/HTTP only when the standard variables ask for it:
 * `OTEL_TRACES_EXPORTER=otlp`, or an `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` without
 * `OTEL_TRACES_EXPORTER=none`. Sampling follows `OTEL_TRACES_SAMPLER` (parent-based by default).
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): NodeSDK {
  const sdk = new NodeSDK({
    resource: resources.resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? serviceName }),
    spanProcessors: [exportsTraces(env) ? new tracing.BatchSpanProcessor(new OTLPTraceExporter()) : new tracing.NoopSpanProcessor()],
    // Undefined lets the SDK build the readers OTEL_METRICS_EXPORTER asks for.
    metricReaders: env['OTEL_METRICS_EXPORTER']?.trim() ? undefined : [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.some((p) => req.url?.startsWith(p)),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}

function exportsTraces(env: NodeJS.ProcessEnv): boolean {
  const exporter = env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase();
  if (exporter === 'none' || env['OTEL_SDK_DISABLED'] === 'true') return false;
  if (exporter === 'otlp') return true;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}
