import { Injectable } from '@nestjs/common';
import { queryRows } from '@conveyor/persistence';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isTerminal, type JobStatus } from '../../jobs/job-status';
import { VENDOR_CALL_TYPE } from '../../processors/vendor/vendor-call.input';
import { VENDOR_CALLBACK_CHANNEL } from '../vendor-callbacks';
import { VendorCallbackConflictError, VendorCallbackTooLateError, VendorJobNotFoundError } from '../vendors.errors';
import type { VendorCallbackRequest } from './vendor-callback.request';

export interface ReceivedCallback {
  jobId: string;
  /** True when this very answer had been received before (a redelivery or a replay). */
  duplicate: boolean;
}

/**
 * Records a vendor's answer for a job, once. The job row is locked (FOR SHARE) while the answer
 * is written, so the job cannot finish in between; the NOTIFY wakes the instance whose worker
 * waits for it. The same answer again is acknowledged and changes nothing; a different one is
 * refused, as is any answer to a job that has already finished.
 */
@Injectable()
export class ReceiveVendorCallbackHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(vendor: string, callback: VendorCallbackRequest, body: Buffer, signedAt: Date): Promise<ReceivedCallback> {
    const bodySha256 = createHash('sha256').update(body).digest('hex');
    const { jobId } = callback;
    return this.dataSource.transaction(async (manager) => {
      const [job] = await manager.query<{ status: JobStatus }[]>(
        `SELECT status FROM jobs.jobs WHERE id = $1 AND type = $2 AND input->>'vendor' = $3 FOR SHARE`,
        [jobId, VENDOR_CALL_TYPE, vendor],
      );
      if (!job) throw new VendorJobNotFoundError();
      const [earlier] = await manager.query<{ body_sha256: string }[]>(
        `SELECT body_sha256 FROM jobs.vendor_callbacks WHERE job_id = $1`,
        [jobId],
      );
      if (earlier) return this.again(jobId, earlier.body_sha256, bodySha256);
      if (isTerminal(job.status)) throw new VendorCallbackTooLateError(job.status);
      const inserted = await queryRows(
        manager,
        `INSERT INTO jobs.vendor_callbacks (job_id, vendor, outcome, result, error_message, body_sha256, signed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (job_id) DO NOTHING
         RETURNING 1`,
        [
          jobId,
          vendor,
          callback.status,
          callback.status === 'succeeded' ? JSON.stringify(callback.result ?? null) : null,
          callback.status === 'failed' ? callback.error.message : null,
          bodySha256,
          signedAt,
        ],
      );
      if (inserted.length === 0) {
        // Another delivery of an answer for this job committed after our look.
        const [winner] = await manager.query<{ body_sha256: string }[]>(
          `SELECT body_sha256 FROM jobs.vendor_callbacks WHERE job_id = $1`,
          [jobId],
        );
        return this.again(jobId, winner.body_sha256, bodySha256);
      }
      await manager.query(`SELECT pg_notify($1, $2)`, [VENDOR_CALLBACK_CHANNEL, jobId]);
      return { jobId, duplicate: false };
    });
  }

  private again(jobId: string, recorded: string, received: string): ReceivedCallback {
    if (recorded !== received) throw new VendorCallbackConflictError();
    return { jobId, duplicate: true };
  }
}
