import { metricsRegistry } from '@conveyor/metrics';
import { Counter } from 'prom-client';

/** How the cache took part in a lookup: answered it, missed, or was off (its listener disconnected). */
export type CacheOutcome = 'hit' | 'miss' | 'off';

const apiKeyLookups = new Counter({
  name: 'conveyor_api_key_lookups_total',
  help: 'Lookups of well-formed API keys, by cache outcome: hit, miss or off (read from the database while the cache is off)',
  labelNames: ['cache'] as const,
  registers: [metricsRegistry],
});

export function recordApiKeyLookup(cache: CacheOutcome): void {
  apiKeyLookups.inc({ cache });
}
