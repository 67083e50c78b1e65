import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { isDatabaseUnavailable } from '@conveyor/persistence';
import { guardedRequest, OutboundRequestError, type OutboundUrlPolicy } from '@conveyor/ssrf-guard';
import type { JobsConfig } from '../../jobs.config';
import { VendorCallbacks, type VendorAnswer } from '../../vendors/vendor-callbacks';
import type { VendorConfig, Vendors } from '../../vendors/vendor-config';
import { VendorRateLimiter } from '../../vendors/vendor-rate-limiter';
import { signatureHeaders } from '../../vendors/vendor-signature';
import { UnknownVendorError } from '../../vendors/vendors.errors';
import { VENDORS } from '../../vendors/vendors.tokens';
import type { JobProcessor, ProcessorContext } from '../job-processor';
import { PermanentJobError, TransientJobError } from '../processor.errors';
import { VENDOR_CALL_TYPE, vendorCallInput, type VendorCallInput } from './vendor-call.input';
import { outboundFailure, vendorReplyOutcome } from './vendor-response';

/** Longest vendor reply read; a sync result must fit. */
const MAX_REPLY_BYTES = 1024 * 1024;

/** What a run may spend waiting for a rate-limit slot, on top of the vendor's own time limits. */
const RATE_LIMIT_ALLOWANCE_MS = 5 * 60_000;

/**
 * Calls a configured vendor with the job's payload. A `sync` vendor's JSON answer is the
 * result. An `async` vendor acknowledges, and the job then waits for its signed callback
 * (`VendorCallbacks`), failing with `JOBS.VENDOR_CALLBACK_TIMEOUT` when none comes in time.
 *
 * Every request first takes a slot of the vendor's rate limit, which all instances share, and
 * waits for one when there is none: a busy vendor delays jobs rather than failing them. The
 * job id goes along as `Idempotency-Key`, so that a job run again after a lost reply asks the
 * vendor for the same work, not for more of it.
 */
@Injectable()
export class VendorCallProcessor implements JobProcessor {
  readonly type = VENDOR_CALL_TYPE;
  readonly inputSchema = vendorCallInput;
  /** 5xx, 429, timeouts and network errors are retried; a vendor down that long fails the job. */
  readonly maxAttempts = 5;
  /** Long enough for the slowest configured vendor, its callback and a wait for a slot. */
  readonly timeoutMs: number;
  /** One object for the life of the process: guardedRequest pools connections per policy. */
  private readonly policy: OutboundUrlPolicy;

  constructor(
    @Inject(VENDORS) private readonly vendors: Vendors,
    @Inject(APP_CONFIG) config: Pick<JobsConfig, 'JOBS_ALLOW_LOOPBACK_VENDORS'>,
    private readonly rateLimiter: VendorRateLimiter,
    private readonly callbacks: VendorCallbacks,
  ) {
    const allowLoopback = config.JOBS_ALLOW_LOOPBACK_VENDORS;
    this.policy = { allowHttp: allowLoopback, allowLoopback };
    const longest = Math.max(0, ...Object.values(vendors).map((v) => v.timeoutMs + (v.mode === 'async' ? v.callbackTimeoutMs : 0)));
    this.timeoutMs = longest + RATE_LIMIT_ALLOWANCE_MS;
  }

  /** At submission: the vendor must be one this service is configured to call. */
  checkInput(input: unknown): void {
    const { vendor } = input as VendorCallInput;
    if (!this.vendorNamed(vendor)) throw new UnknownVendorError(vendor, Object.keys(this.vendors).sort());
  }

  /**
   * The rate limit and the callbacks live in the database; losing it while waiting is worth
   * another run (the vendor sees the same Idempotency-Key), not a failed job.
   */
  async process(input: unknown, context: ProcessorContext): Promise<unknown> {
    try {
      return await this.call(input as VendorCallInput, context);
    } catch (error) {
      if (!context.signal.aborted && isDatabaseUnavailable(error)) {
        throw new TransientJobError('JOBS.VENDOR_STATE_UNAVAILABLE', 'The job lost its database connection while calling the vendor.');
      }
      throw error;
    }
  }

  private async call({ vendor: name, payload }: VendorCallInput, { signal, jobId }: ProcessorContext): Promise<unknown> {
    const vendor = this.vendorNamed(name);
    // The configuration may have changed since the job was accepted.
    if (!vendor) throw new PermanentJobError('JOBS.UNKNOWN_VENDOR', `The vendor ${name} is no longer configured.`);
    if (vendor.mode === 'async') {
      // A run after a lost one may find the vendor's answer already there.
      const earlier = await this.callbacks.find(jobId);
      if (earlier) return resultOf(earlier);
    }
    await this.rateLimiter.acquire(name, vendor, signal);
    const outcome = vendorReplyOutcome(vendor.mode, await this.send(vendor, jobId, payload, signal));
    if (outcome.kind === 'result') return outcome.result;
    const answer = await this.callbacks.waitFor(jobId, vendor.callbackTimeoutMs, signal);
    if (!answer) {
      throw new PermanentJobError(
        'JOBS.VENDOR_CALLBACK_TIMEOUT',
        `The vendor acknowledged the job but did not call back within ${vendor.callbackTimeoutMs} ms.`,
      );
    }
    return resultOf(answer);
  }

  private vendorNamed(name: string): VendorConfig | undefined {
    return Object.hasOwn(this.vendors, name) ? this.vendors[name] : undefined;
  }

  private async send(vendor: VendorConfig, jobId: string, payload: unknown, signal: AbortSignal) {
    const body = JSON.stringify({ jobId, payload });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': jobId,
      ...(vendor.authHeader && { [vendor.authHeader.name]: vendor.authHeader.value }),
      ...(vendor.secret && signatureHeaders(vendor.secret, body)),
    };
    try {
      return await guardedRequest(vendor.baseUrl, {
        policy: this.policy,
        method: 'POST',
        headers,
        body,
        timeoutMs: vendor.timeoutMs,
        maxResponseBytes: MAX_REPLY_BYTES,
        signal,
      });
    } catch (error) {
      // Stopped from outside (cancel, shutdown): the worker knows why and decides what to record.
      if (signal.aborted) throw signal.reason;
      if (error instanceof OutboundRequestError) throw outboundFailure(error);
      throw error;
    }
  }
}

function resultOf(answer: VendorAnswer): unknown {
  if (answer.outcome === 'succeeded') return answer.result;
  throw new PermanentJobError('JOBS.VENDOR_FAILED', answer.errorMessage || 'The vendor reported that the job failed.');
}
