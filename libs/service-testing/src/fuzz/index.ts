export { snapshotSchema, VOLATILE_TABLES } from './database-snapshot';
export { contractViolation, FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzRefusedRoutes, fuzzRoutes, fuzzRuns, fuzzStats, sendRaw } from './fuzz-runner';
export type { FuzzStats, RawReply } from './fuzz-runner';
export { hostileRequest, refusedRequest, validRequest } from './hostile-requests';
export type { FuzzCredentials, FuzzRoute, RawRequest } from './hostile-requests';
export { deeplyNested, hostileString, hostileValue, INVALID_UUIDS, malformedJson, SQL_INJECTION_PROBES, UNICODE_EDGE_CASES } from './hostile-values';
export { fuzzQueue, hostileMessage, inboxHolds } from './hostile-messages';
export type { HostileMessage, QueueUnderFuzz } from './hostile-messages';
