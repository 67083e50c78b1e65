import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';

/** W3C trace context of the active span, as a plain carrier that can be stored or sent. */
export type TraceCarrier = { traceparent?: string; tracestate?: string };

export function captureTraceContext(from: Context = context.active()): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  const { traceparent, tracestate } = carrier;
  return { ...(traceparent && { traceparent }), ...(tracestate && { tracestate }) };
}

/** The context a stored or received carrier points at (root when it carries nothing). */
export function restoreTraceContext(carrier: TraceCarrier | undefined): Context {
  if (!carrier?.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Trace and span ids of the active span, for log lines. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !trace.isSpanContextValid(ids)) return undefined;
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

export const tracer = () => trace.getTracer('conveyor');
