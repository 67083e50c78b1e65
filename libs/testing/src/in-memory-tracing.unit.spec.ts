import { context, propagation, trace } from '@opentelemetry/api';
import { startInMemoryTracing } from './in-memory-tracing';

describe('startInMemoryTracing', () => {
  it('links a child span to its parent across an await and propagates it as traceparent', async () => {
    // given
    const tracing = startInMemoryTracing();
    const tracer = trace.getTracer('spec');
    const headers: Record<string, string> = {};

    // when
    await tracer.startActiveSpan('parent', async (parent) => {
      await Promise.resolve();
      tracer.startSpan('child').end();
      propagation.inject(context.active(), headers);
      parent.end();
    });

    // then
    const [child, parent] = tracing.spans();
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(headers['traceparent']).toContain(parent.spanContext().traceId);
    await tracing.shutdown();
  });

  it('forgets recorded spans on reset and can start again after shutdown', async () => {
    // given
    const first = startInMemoryTracing();
    trace.getTracer('spec').startSpan('forgotten').end();

    // when
    first.reset();

    // then
    expect(first.spans()).toEqual([]);
    await first.shutdown();
    const second = startInMemoryTracing();
    trace.getTracer('spec').startSpan('fresh').end();
    expect(second.spans().map((span) => span.name)).toEqual(['fresh']);
    await second.shutdown();
  });

  it('refuses to start twice without a shutdown in between', async () => {
    const tracing = startInMemoryTracing();
    expect(() => startInMemoryTracing()).toThrow(/already registered/);
    await tracing.shutdown();
  });
});
