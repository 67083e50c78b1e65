import { describeApiDocuments } from '@conveyor/service-testing';
import { profileExample } from '../src/profiles/profile.view';
import { userService } from '../src/user.definition';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown>; example?: unknown }> }>;
}

describeApiDocuments(userService, (service) => {
  it('documents every profile answer with the profile schema, its job activity included, and an example', async () => {
    const document = (await service().request('GET', '/docs/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const answer = (path: string, method: string) => document.paths[path]?.[method]?.responses['200']?.content?.['application/json'];

    for (const [path, method] of [
      ['/v1/users/me', 'get'],
      ['/v1/users/me', 'patch'],
      ['/v1/users/{id}', 'get'],
    ] as const) {
      const { schema, example } = answer(path, method) ?? {};
      expect({ path, method, activity: Object.keys((schema?.['properties'] as Record<string, { properties: object }>)?.['activity']?.properties ?? {}) }).toEqual({
        path,
        method,
        activity: ['succeeded', 'failed', 'canceled', 'lastJobAt'],
      });
      expect(example).toEqual(profileExample);
    }
    expect(answer('/v1/users', 'get')?.example).toEqual({ items: [profileExample], nextCursor: null });
  });
});
