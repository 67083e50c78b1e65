import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './support/service-process';

const SERVICES = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'];

/** A service's main.ts with its own name (and its definition's name) replaced by a placeholder. */
function normalised(service: string): string {
  const source = readFileSync(resolve(REPO_ROOT, 'services', service, 'src', 'main.ts'), 'utf8');
  const camel = service.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  return source.replaceAll(`${camel}Service`, '<definition>').replaceAll(service, '<service>');
}

describe('main.ts of every service', () => {
  it('differs from the others only in the service it starts', () => {
    // given the auth service's main.ts as the reference
    const reference = normalised('auth');

    // then every other main.ts is the same once its own name is taken out
    for (const service of SERVICES) expect(normalised(service)).toBe(reference);
  });

  it('starts tracing before it imports anything else', () => {
    for (const service of SERVICES) {
      const lines = normalised(service).split('\n');
      expect(lines.slice(0, 2)).toEqual(["import { startTracing } from '@conveyor/tracing';", "startTracing('<service>');"]);
    }
  });
});
