/** The broker accepted the message but no queue is bound for its routing key. */
export class UnroutableEventError extends Error {
  readonly code = 'MESSAGING.UNROUTABLE_EVENT';

  constructor(readonly eventType: string) {
    super(`No queue is bound for event type ${eventType}`);
    this.name = 'UnroutableEventError';
  }
}
