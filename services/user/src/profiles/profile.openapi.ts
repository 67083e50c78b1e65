import { ApiResponse } from '@nestjs/swagger';
import { Type } from '@sinclair/typebox';
import { profileExample, profileSchema } from './profile.view';

/** The 200 answer of a route that returns one profile: its schema and an example. */
export const ApiProfileResponse = (description: string) =>
  ApiResponse({ status: 200, description, schema: profileSchema as object, example: profileExample });

export const profilePageSchema = Type.Object(
  {
    items: Type.Array(profileSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last.' }),
  },
  { additionalProperties: false },
);

export const ApiProfilePageResponse = () =>
  ApiResponse({
    status: 200,
    description: 'One page of live profiles, newest registration first.',
    schema: profilePageSchema as object,
    example: { items: [profileExample], nextCursor: null },
  });
