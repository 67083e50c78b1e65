import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { deliveryFacts, deliveryFactsExample } from './delivery-facts';

export const DeliverySucceededV1 = defineEvent({
  type: 'webhooks.delivery.succeeded.v1',
  producer: 'webhook-delivery',
  description:
    'Emitted when an endpoint answered a webhook with 2xx; recorded in the same transaction as the successful attempt. A replayed message that succeeds again emits it again.',
  schema: Type.Object(
    {
      ...deliveryFacts,
      statusCode: Type.Integer({ minimum: 200, maximum: 299, description: 'What the endpoint answered.' }),
      succeededAt: Timestamp('When the successful attempt ended.'),
    },
    { additionalProperties: false },
  ),
  example: { ...deliveryFactsExample, attempts: 2, statusCode: 200, succeededAt: '2025-01-15T09:32:07.000Z' },
});
