import { guardedRequest, OutboundRequestError, type OutboundUrlPolicy } from '@conveyor/ssrf-guard';
import { webhookHeaders } from '../signing/webhook-signature';
import { webhookIdOf } from '../messages/message-queue';
import { parseRetryAfter, type AttemptResult } from './attempt-outcome';

/** The attempt log keeps this much of each response body. */
export const RESPONSE_BODY_KEPT = 20 * 1024;

export interface AttemptRecord {
  result: AttemptResult;
  durationMs: number;
  /** The first 20 KiB of the response body, as text. */
  responseBody: string | null;
  /** Why there was no response; safe to show to the endpoint's owner. */
  error: string | null;
}

export interface SendOptions {
  policy: OutboundUrlPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => Date;
}

/**
 * One signed POST. The signature is made now, with this attempt's timestamp and every secret
 * that currently signs (two during a rotation's grace). The request goes through the SSRF
 * guard: the address is checked at connect time and redirects come back as plain responses.
 */
export async function sendAttempt(
  target: { url: string; messageId: string; body: string },
  secrets: readonly string[],
  { policy, timeoutMs, signal, now = () => new Date() }: SendOptions,
): Promise<AttemptRecord> {
  const started = now();
  const headers = webhookHeaders(secrets, {
    id: webhookIdOf(target.messageId),
    timestamp: Math.floor(started.getTime() / 1000),
    body: target.body,
  });
  const elapsed = () => Math.max(0, now().getTime() - started.getTime());
  try {
    const response = await guardedRequest(target.url, {
      policy,
      method: 'POST',
      headers: { ...headers, 'user-agent': 'Conveyor-Webhooks/1' },
      body: target.body,
      timeoutMs,
      maxResponseBytes: RESPONSE_BODY_KEPT,
      overflow: 'truncate',
      signal,
    });
    const retryAfter = response.headers['retry-after'];
    return {
      result: {
        kind: 'response',
        status: response.status,
        retryAfterSeconds: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now()),
      },
      durationMs: elapsed(),
      // Postgres text cannot hold NUL.
      responseBody: response.body.toString('utf8').replaceAll('\u0000', ''),
      error: null,
    };
  } catch (error) {
    const code = error instanceof OutboundRequestError ? error.code : 'NETWORK';
    const message = error instanceof OutboundRequestError ? error.message : 'The request failed.';
    return { result: { kind: 'error', code }, durationMs: elapsed(), responseBody: null, error: `${code}: ${message}` };
  }
}
