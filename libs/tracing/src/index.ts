export { Attr } from './attributes';
export { startTracing } from './start-tracing';
export { activeTraceIds, captureTraceContext, restoreTraceContext, tracer } from './trace-context';
export type { TraceCarrier } from './trace-context';
