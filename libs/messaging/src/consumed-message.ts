/** Small helpers shared by the library's consumers (EventServer, WorkQueue); not exported. */

/** The message body as JSON, or undefined when it is not JSON (the caller dead-letters it). */
export function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Acks and nacks go to the channel the message arrived on. If that channel died meanwhile,
 * the broker will redeliver the message anyway, so there is nothing left to do here.
 */
export function settle(action: () => void): void {
  try {
    action();
  } catch {
    // channel closed: redelivery (and the inbox or the claim) take care of it
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'message' in error) return String(error.message);
  return String(error);
}
