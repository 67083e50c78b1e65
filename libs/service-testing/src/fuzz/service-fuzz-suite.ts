import type { ServiceConfig } from '@conveyor/config';
import type { EventEnvelope } from '@conveyor/contracts';
import type { ServiceUnderTest } from '../service-under-test';
import { snapshotSchema } from './database-snapshot';
import { FUZZ_TIMEOUT_MS, fuzzRefusedRoutes, fuzzRoutes, fuzzRuns } from './fuzz-runner';
import { fuzzQueue, inboxHolds } from './hostile-messages';
import type { FuzzCredentials, FuzzRoute } from './hostile-requests';

/** What a service's fuzz spec sets up in its `beforeAll`; read when the tests run. */
export interface ServiceFuzzTarget {
  service: Pick<ServiceUnderTest<ServiceConfig>, 'url' | 'sql' | 'names' | 'request' | 'publish'>;
  /** The service's schema, which refused requests must leave unchanged. */
  schema: string;
  routes: FuzzRoute[];
  /** Routes sent only as refused requests (their valid form would end the fuzzing, e.g. deleting the caller). */
  refusedOnlyRoutes?: FuzzRoute[];
  credentials: FuzzCredentials;
  /** The event types the service consumes. */
  consumes: readonly string[];
  /** A valid event the service applies: the check that its consumer is still healthy. */
  validEvent(): EventEnvelope;
}

/**
 * The three fuzz tests every service passes (seeded; FUZZ_RUNS scales them): refused requests
 * change nothing in the database, no request gets a 5xx or an answer without problem details,
 * and hostile messages are dead-lettered while the consumer keeps applying valid events.
 */
export function itFuzzesTheService(target: () => ServiceFuzzTarget): void {
  it('leaves the database unchanged when it refuses requests', async () => {
    const { service, schema, routes, refusedOnlyRoutes = [], credentials } = target();
    await fuzzRefusedRoutes(service.url, [...routes, ...refusedOnlyRoutes], credentials, fuzzRuns(60, 0.04), () =>
      snapshotSchema(service.sql, schema),
    );
  }, FUZZ_TIMEOUT_MS);

  it('never answers 5xx and answers every client mistake with a problem document', async () => {
    const { service, routes, credentials } = target();
    await fuzzRoutes(service.url, routes, credentials, fuzzRuns(150, 0.16));
    expect((await service.request('GET', '/health/live')).status).toBe(200);
  }, FUZZ_TIMEOUT_MS);

  it('dead-letters hostile messages at once and keeps consuming', async () => {
    const { service, schema, consumes, validEvent } = target();
    await fuzzQueue(
      {
        names: service.names,
        types: consumes,
        applies: async () => {
          const event = validEvent();
          await service.publish(event);
          await inboxHolds(service.sql, schema, event);
        },
      },
      fuzzRuns(25, 0.04),
    );
  }, FUZZ_TIMEOUT_MS);
}
