import { Injectable } from '@nestjs/common';
import { positionTimeSql } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { Job } from '../job.entity';
import { jobView, type JobView } from '../job.view';
import { decodeCursor, encodeCursor } from './job-cursor';
import type { ListJobsRequest } from './list-jobs.request';

export interface JobPage {
  items: JobView[];
  nextCursor: string | null;
}

/**
 * A client's jobs, newest first, by keyset pagination on (created_at, id): a page never
 * repeats or skips a job however many are submitted meanwhile, and every page costs the
 * same (index `jobs_by_owner`).
 */
@Injectable()
export class ListJobsHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(userId: string, { status, type, limit, cursor }: ListJobsRequest): Promise<JobPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const query = this.dataSource
      .getRepository(Job)
      .createQueryBuilder('job')
      .addSelect(positionTimeSql('job.created_at'), 'cursor_created_at')
      .where('job.user_id = :userId', { userId })
      .orderBy('job.created_at', 'DESC')
      .addOrderBy('job.id', 'DESC')
      // One more than asked for says whether there is a next page.
      .limit(limit + 1);
    if (status) query.andWhere('job.status = :status', { status });
    if (type) query.andWhere('job.type = :type', { type });
    if (after) {
      query.andWhere('(job.created_at, job.id) < (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', after);
    }
    const { entities, raw } = await query.getRawAndEntities<{ cursor_created_at: string }>();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    const hasMore = entities.length > limit && last !== undefined;
    return {
      items: page.map(jobView),
      nextCursor: hasMore ? encodeCursor({ createdAt: raw[page.length - 1].cursor_created_at, id: last.id }) : null,
    };
  }
}
