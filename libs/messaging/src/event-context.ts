import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '@conveyor/contracts';
import type { EntityManager } from 'typeorm';

type EventContextArgs = [manager: EntityManager, event: EventEnvelope, deliveryCount: number];

/**
 * What an `@EventPattern` handler receives with `@Ctx()`: the transaction it must write in
 * (the inbox row is already in it; the outbox writer takes the same manager) and the event.
 */
export class EventContext extends BaseRpcContext<EventContextArgs> {
  /** The transaction shared with the inbox insert; commit happens after the handler returns. */
  get manager(): EntityManager {
    return this.args[0];
  }

  get event(): EventEnvelope {
    return this.args[1];
  }

  /** 1 on first delivery; grows with each redelivery until the queue's delivery limit. */
  get deliveryCount(): number {
    return this.args[2];
  }
}
