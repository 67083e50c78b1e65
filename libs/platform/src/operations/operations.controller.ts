import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { DeadLetterQueue, type DeadLetter } from '@conveyor/messaging';
import Joi from 'joi';
import { DataSource } from 'typeorm';
import { AdminRoleGuard } from '../access-token/role.guard';
import { AccessTokenGuard } from '../http/access-token.guard';
import { JoiPipe } from '../http/joi.pipe';

/** What the operations routes need to know about the service they run in. */
export interface OperationsOptions {
  /** The service's schema (its outbox and consumer failures live there). */
  schema: string;
  /** The consumer name its inbox and failure records use (the service's name). */
  consumer: string;
  /** OUTBOX_MAX_ATTEMPTS: rows with this many failed publishes are abandoned. */
  outboxMaxAttempts: number;
}
export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');

type Selection = { id?: string; all?: true };
const selectionSchema = Joi.object<Selection>({
  id: Joi.string().min(1).max(200),
  all: Joi.boolean().valid(true),
}).xor('id', 'all');
const listSchema = Joi.object<{ limit: number }>({ limit: Joi.number().integer().min(1).max(1000).default(100) });

/**
 * Operator tools of every service, for administrators: the service's dead-letter queue (list,
 * replay to the service's own queue, discard) and its outbox backlog (and a retry of rows the
 * relay gave up on). `npm run ops` drives these routes from a terminal.
 */
@Controller('admin')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class OperationsController {
  constructor(
    private readonly deadLetters: DeadLetterQueue,
    private readonly dataSource: DataSource,
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
  ) {}

  /** The dead letters, oldest first, each with why its deliveries failed when that was recorded. */
  @Get('dead-letters')
  async listDeadLetters(@Query(new JoiPipe(listSchema)) { limit }: { limit: number }) {
    const letters = await this.deadLetters.list(limit);
    const failures = await this.failuresOf(letters);
    return { items: letters.map((letter) => ({ ...letter, failure: (letter.id && failures.get(letter.id)) ?? null })) };
  }

  @Post('dead-letters/replay')
  @HttpCode(200)
  async replay(@Body(new JoiPipe(selectionSchema)) selection: Selection) {
    return { replayed: await this.deadLetters.replay(selection.id ? { id: selection.id } : 'all') };
  }

  @Post('dead-letters/discard')
  @HttpCode(200)
  async discard(@Body(new JoiPipe(selectionSchema)) selection: Selection) {
    return { discarded: await this.deadLetters.discard(selection.id ? { id: selection.id } : 'all') };
  }

  /** Rows waiting to be published, rows given up on, and the latest errors. */
  @Get('outbox')
  async outbox() {
    const { schema, outboxMaxAttempts } = this.options;
    const [summary] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE attempts < $1)::int AS pending,
              count(*) FILTER (WHERE attempts >= $1)::int AS abandoned,
              coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE attempts < $1)), 0)::float AS "oldestPendingAgeSeconds"
         FROM "${schema}".outbox WHERE published_at IS NULL`,
      [outboxMaxAttempts],
    );
    const failing = await this.dataSource.query(
      `SELECT event_id AS id, event_type AS type, attempts, last_error AS "lastError", created_at AS "createdAt",
              attempts >= $1 AS abandoned
         FROM "${schema}".outbox WHERE published_at IS NULL AND last_error IS NOT NULL
        ORDER BY seq LIMIT 50`,
      [outboxMaxAttempts],
    );
    return { ...summary, failing };
  }

  /** Gives abandoned rows a fresh set of attempts (after the cause, e.g. a missing binding, is fixed). */
  @Post('outbox/retry-abandoned')
  @HttpCode(200)
  async retryAbandoned() {
    const { schema, outboxMaxAttempts } = this.options;
    const [, retried] = await this.dataSource.query(
      `UPDATE "${schema}".outbox SET attempts = 0, next_attempt_at = now() WHERE published_at IS NULL AND attempts >= $1`,
      [outboxMaxAttempts],
    );
    return { retried };
  }

  private async failuresOf(letters: DeadLetter[]) {
    const ids = letters.flatMap((letter) => (letter.id ? [letter.id] : []));
    const rows: { message_id: string; failures: number; first_error: string; last_error: string }[] = ids.length
      ? await this.dataSource.query(
          `SELECT message_id, failures, first_error, last_error FROM "${this.options.schema}".consumer_failures
            WHERE consumer = $1 AND message_id = ANY($2)`,
          [this.options.consumer, ids],
        )
      : [];
    return new Map(rows.map((row) => [row.message_id, { failures: row.failures, firstError: row.first_error, lastError: row.last_error }]));
  }
}
