import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const EndpointDisabledV1 = defineEvent({
  type: 'webhooks.endpoint.disabled.v1',
  producer: 'webhook-delivery',
  description:
    'Emitted once when webhook delivery disables an endpoint by itself: it answered 410 Gone, or it kept failing for the configured time (5 days by default). Nothing is sent to it until its owner enables it again.',
  schema: Type.Object(
    {
      endpointId: Uuid('Id of the endpoint.'),
      userId: Uuid('Owner of the endpoint.'),
      url: Type.String({ maxLength: 2048, description: 'The URL the endpoint sends to.' }),
      reason: Type.Union([Type.Literal('gone'), Type.Literal('failing')], {
        description: '`gone`: it answered 410; `failing`: every attempt failed for the configured time.',
      }),
      failingSince: Type.Union([Timestamp('Start of the unbroken run of failures.'), Type.Null()]),
      disabledAt: Timestamp('When it was disabled.'),
    },
    { additionalProperties: false },
  ),
  example: {
    endpointId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    url: 'https://hooks.example.com/conveyor',
    reason: 'failing' as const,
    failingSince: '2025-01-10T08:00:00.000Z',
    disabledAt: '2025-01-15T08:00:03.000Z',
  },
});
