import { Type, type Static } from '@sinclair/typebox';
import { UserRegisteredV1 } from '../auth/user-registered.v1';
import { schemaIssues } from '../validation/contract-validator';
import { createEvent } from '../validation/create-event';
import { InvalidEventError } from '../validation/invalid-event.error';
import { isRecord } from '../validation/is-record';
import { nameBasedUuid } from './name-based-uuid';
import type { Upcaster } from './upcaster';
import { normaliseEmail } from '../auth/email-address';

const LEGACY_TYPE = 'user.created';

/**
 * The plain body the old monolith publishes. Extra properties are allowed: the monolith adds
 * fields over time and this shape is only read, never re-published.
 */
const UserCreatedBody = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String({ format: 'email' }),
    name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);

type UserCreatedBody = Static<typeof UserCreatedBody>;

export const userCreatedUpcaster: Upcaster = {
  legacyType: LEGACY_TYPE,
  routingKey: LEGACY_TYPE,
  targetType: UserRegisteredV1.type,

  matches(raw, routingKey) {
    return routingKey === LEGACY_TYPE && isRecord(raw) && !('specversion' in raw);
  },

  upcast(raw) {
    const bodyIssues = schemaIssues(UserCreatedBody, raw);
    if (bodyIssues.length > 0) throw new InvalidEventError(LEGACY_TYPE, bodyIssues);
    const body = raw as UserCreatedBody;
    // Lower-cased before hashing so the same account always yields the same event id.
    const userId = body.id.toLowerCase();
    return createEvent(UserRegisteredV1, {
      id: nameBasedUuid(`${LEGACY_TYPE}:${userId}`),
      source: '/legacy/monolith',
      subject: userId,
      time: body.createdAt,
      data: {
        userId,
        email: normaliseEmail(body.email),
        name: body.name ?? null,
        registeredAt: body.createdAt,
      },
    });
  },
};
