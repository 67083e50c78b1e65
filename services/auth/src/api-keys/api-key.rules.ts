/** What a key may be allowed to do; a key gets all of them unless the client narrows it. */
export const API_KEY_SCOPES = ['jobs:read', 'jobs:write'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Active (unrevoked) keys per account; revoked keys do not count. */
export const MAX_ACTIVE_API_KEYS = 20;
