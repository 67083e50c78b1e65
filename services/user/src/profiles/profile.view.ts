import { Type, type Static } from '@sinclair/typebox';
import type { JobActivity } from '../activity/job-activity';
import type { Profile } from './profile.entity';

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
const Count = (description: string) => Type.Integer({ minimum: 0, description });

/** The public shape of a live profile; also its schema in the OpenAPI document. */
export const profileSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The user id (the auth account id).' }),
    email: Type.String({ description: 'The email address the user registered with.' }),
    name: Type.Union([Type.String(), Type.Null()], { description: 'Display name; null when not set.' }),
    registeredAt: Timestamp('When the account was registered.'),
    updatedAt: Timestamp('When the profile last changed.'),
    activity: Type.Object(
      {
        succeeded: Count('How many of the user’s jobs succeeded.'),
        failed: Count('How many failed for good.'),
        canceled: Count('How many were canceled.'),
        lastJobAt: Type.Union([Timestamp('When the most recent of those jobs ended.'), Type.Null()], {
          description: 'When the most recent finished job ended; null before the first.',
        }),
      },
      {
        additionalProperties: false,
        description: 'The user’s finished jobs, counted from the jobs service’s events (so a job that just ended may take a moment to appear).',
      },
    ),
  },
  { additionalProperties: false },
);

export type ProfileView = Static<typeof profileSchema>;

export const profileView = (profile: Profile, activity: JobActivity): ProfileView => ({
  id: profile.userId,
  // Only deleted profiles lack an email (a check constraint), and they are never shown.
  email: profile.email as string,
  name: profile.name,
  registeredAt: profile.registeredAt.toISOString(),
  updatedAt: profile.updatedAt.toISOString(),
  activity,
});

export const profileExample: ProfileView = {
  id: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  registeredAt: '2025-01-15T09:30:00.000Z',
  updatedAt: '2025-01-16T11:00:00.000Z',
  activity: { succeeded: 41, failed: 2, canceled: 1, lastJobAt: '2025-01-20T17:45:12.000Z' },
};
