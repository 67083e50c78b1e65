/** An endpoint row as this service reads it. */
export interface EndpointRow {
  id: string;
  user_id: string;
  kind: 'subscription' | 'job_url';
  url: string;
  event_types: string[] | null;
  description: string | null;
  rate_limit_per_second: number | null;
  ordered: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  circuit_state: 'closed' | 'open' | 'half_open';
  circuit_open_until: Date | null;
  consecutive_failures: number;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function endpointView(row: EndpointRow) {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    rateLimitPerSecond: row.rate_limit_per_second,
    ordered: row.ordered,
    status: row.disabled_at ? 'disabled' : 'enabled',
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    health: {
      circuit: row.circuit_state,
      circuitOpenUntil: row.circuit_open_until?.toISOString() ?? null,
      consecutiveFailures: row.consecutive_failures,
      failingSince: row.failing_since?.toISOString() ?? null,
    },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
