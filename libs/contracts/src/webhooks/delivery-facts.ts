import { Type } from '@sinclair/typebox';
import { Uuid } from '../schema-types';

/** What both delivery outcomes say about the delivery, so a consumer rarely needs more. */
export const deliveryFacts = {
  messageId: Uuid('Id of the webhook message (its `webhook-id` header is `msg_` and this id without dashes).'),
  endpointId: Uuid('Id of the endpoint the message was sent to.'),
  userId: Uuid('Owner of the endpoint and the message.'),
  eventType: Type.String({ minLength: 1, maxLength: 100, description: 'The `type` in the webhook body, e.g. `jobs.job.succeeded.v1`.' }),
  eventId: Type.Union([Uuid('Id of the platform event the message was made from.'), Type.Null()], {
    description: 'Null for a test message.',
  }),
  attempts: Type.Integer({ minimum: 1, description: 'HTTP attempts made for this delivery so far.' }),
};

export const deliveryFactsExample = {
  messageId: '5c1d7e2a-3b4f-4c6d-8e9f-0a1b2c3d4e5f',
  endpointId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
  eventType: 'jobs.job.succeeded.v1',
  eventId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
};
