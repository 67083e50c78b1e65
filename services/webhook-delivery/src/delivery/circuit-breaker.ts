export interface BreakerPolicy {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** Share of failures in the window that opens it, once the window holds `minAttempts`. */
  failureRate: number;
  minAttempts: number;
}

export interface EndpointHealth {
  circuit: 'closed' | 'open' | 'half_open';
  consecutiveFailures: number;
  /** Finished attempts in the window, this failure included. */
  windowAttempts: number;
  windowFailures: number;
}

/**
 * Whether a failed attempt opens the endpoint's circuit. A failed probe (half-open) opens it
 * again at once; otherwise either rule trips it. While open, nothing is sent to the endpoint
 * until the cool-down has passed and one probe is let through.
 */
export function failureOpensCircuit(health: EndpointHealth, policy: BreakerPolicy): boolean {
  if (health.circuit !== 'closed') return true;
  if (health.consecutiveFailures >= policy.consecutiveFailures) return true;
  return health.windowAttempts >= policy.minAttempts && health.windowFailures / health.windowAttempts >= policy.failureRate;
}
