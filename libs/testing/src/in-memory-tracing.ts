import { Attr } from '@conveyor/tracing';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface InMemoryTracing {
  /** Spans ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** What the consumers' spans recorded for one event id, in the order they ended (`APPLIED`, `ALREADY_PROCESSED`, …). */
  inboxOutcomes(eventId: string): string[];
  /** Forgets the spans ended so far. */
  reset(): void;
  /** Flushes, then unregisters the global tracer provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

/**
 * Registers OpenTelemetry globals that keep finished spans in memory, so a spec can assert the
 * span chain. The context manager and W3C propagator are the ones production uses, so trace
 * context crosses async calls and message headers as it would for real. Jest gives each spec
 * file its own globals; within a file, call shutdown() before starting again.
 */
export function startInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  // SimpleSpanProcessor exports each span as it ends, so spans() never waits for a batch.
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();

  const globals: Array<[register: () => boolean, unregister: () => void]> = [
    [() => context.setGlobalContextManager(contextManager), () => context.disable()],
    [() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()), () => propagation.disable()],
    [() => trace.setGlobalTracerProvider(provider), () => trace.disable()],
  ];
  const registered: Array<() => void> = [];
  for (const [register, unregister] of globals) {
    if (!register()) {
      // Take back only what this call registered; the earlier owner's globals stay in place.
      registered.forEach((undo) => undo());
      contextManager.disable();
      throw new Error('OpenTelemetry globals are already registered; shut the previous tracing down first');
    }
    registered.push(unregister);
  }

  return {
    spans: () => exporter.getFinishedSpans(),
    inboxOutcomes: (eventId) =>
      exporter
        .getFinishedSpans()
        .filter((span) => span.attributes[Attr.messagingMessageId] === eventId && span.attributes[Attr.inboxOutcome])
        .map((span) => String(span.attributes[Attr.inboxOutcome])),
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
