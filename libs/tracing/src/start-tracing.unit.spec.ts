import { metrics } from '@opentelemetry/api';
import { metrics as sdkMetrics } from '@opentelemetry/sdk-node';
import { startTracing } from './start-tracing';

describe('startTracing', () => {
  afterEach(() => metrics.disable());

  it('records no OpenTelemetry metrics unless OTEL_METRICS_EXPORTER asks for them', async () => {
    const sdk = startTracing('test-service', {});
    try {
      expect(metrics.getMeterProvider()).not.toBeInstanceOf(sdkMetrics.MeterProvider);
    } finally {
      await sdk.shutdown();
    }
  });

  it('builds the metric readers OTEL_METRICS_EXPORTER names', async () => {
    const env = { OTEL_METRICS_EXPORTER: 'console' };
    const saved = process.env['OTEL_METRICS_EXPORTER'];
    // The SDK reads the exporter from process.env itself.
    process.env['OTEL_METRICS_EXPORTER'] = env.OTEL_METRICS_EXPORTER;
    const sdk = startTracing('test-service', env);
    try {
      expect(metrics.getMeterProvider()).toBeInstanceOf(sdkMetrics.MeterProvider);
    } finally {
      await sdk.shutdown();
      if (saved === undefined) delete process.env['OTEL_METRICS_EXPORTER'];
      else process.env['OTEL_METRICS_EXPORTER'] = saved;
    }
  });
});
