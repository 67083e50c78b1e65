import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { deliveryFacts, deliveryFactsExample } from './delivery-facts';

export const DeliveryExhaustedV1 = defineEvent({
  type: 'webhooks.delivery.exhausted.v1',
  producer: 'webhook-delivery',
  description:
    'Emitted when a delivery is given up and goes to the dead-letter state: its retry schedule is used up, or the endpoint answered a status that is not retried (4xx other than 408 and 429, or 410 Gone). It can be replayed.',
  schema: Type.Object(
    {
      ...deliveryFacts,
      lastStatusCode: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()], {
        description: 'The status of the last attempt; null when it got no response.',
      }),
      lastError: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
        description: 'Why the last attempt failed, when it got no response (timeout, network, refused address).',
      }),
      exhaustedAt: Timestamp('When the delivery was given up.'),
    },
    { additionalProperties: false },
  ),
  example: {
    ...deliveryFactsExample,
    attempts: 8,
    lastStatusCode: 503,
    lastError: null,
    exhaustedAt: '2025-01-17T01:12:00.000Z',
  },
});
