/**
 * Span attribute names used across Conveyor, in one place. The messaging ones follow the
 * OpenTelemetry semantic conventions; the `conveyor.*` ones are our own.
 */
export const Attr = {
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingRoutingKey: 'messaging.rabbitmq.destination.routing_key',
  messagingMessageId: 'messaging.message.id',
  messagingOperationType: 'messaging.operation.type',
  messagingConsumerGroup: 'messaging.consumer.group.name',
  eventType: 'conveyor.event.type',
  eventSubject: 'conveyor.event.subject',
  inboxOutcome: 'conveyor.inbox.outcome',
  userId: 'conveyor.user.id',
  jobId: 'conveyor.job.id',
  webhookMessageId: 'conveyor.webhook.message.id',
  webhookEndpointId: 'conveyor.webhook.endpoint.id',
  webhookAttempt: 'conveyor.webhook.attempt',
} as const;
