export { OutboxModule } from './outbox.module';
export type { OutboxModuleOptions } from './outbox.module';
export { OutboxRelay } from './outbox-relay';
export type { OutboxRelayOptions, RelayPublisher } from './outbox-relay';
export { outboxChannel, outboxTableSql } from './outbox-table';
export { OutboxWriter } from './outbox-writer';
