export {
  eventsConsumed,
  eventsPublished,
  httpRequestDuration,
  httpRequests,
  metricsRegistry,
  reportOutboxBacklog,
} from './registry';
export type { OutboxBacklog } from './registry';
