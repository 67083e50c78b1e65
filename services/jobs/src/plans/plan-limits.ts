/**
 * Jobs a client may run at once while no plan of theirs is known here (the plan event has not
 * arrived yet, or billing never opened an account): the smallest plan's limit.
 */
export const DEFAULT_MAX_CONCURRENT_JOBS = 1;
