import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { queryRows } from '@conveyor/persistence';
import { RateLimitedError } from '@conveyor/platform';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../../auth.config';

export class TooManyLoginAttemptsError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super('AUTH.TOO_MANY_LOGIN_ATTEMPTS', 'Too many failed logins; try again later.', retryAfterSeconds);
  }
}

type ThrottleConfig = Pick<
  AuthConfig,
  'LOGIN_MAX_FAILURES' | 'LOGIN_MAX_FAILURES_PER_IP' | 'LOGIN_LOCKOUT_SECONDS' | 'LOGIN_LOCKOUT_MAX_SECONDS' | 'LOGIN_FAILURE_WINDOW_SECONDS'
>;

/**
 * Brute-force protection for login, in Postgres so that it holds across auth instances. Failed
 * logins are counted per email and per client IP; from the configured number of failures on, each
 * further failure locks that key for twice as long as the one before (up to a maximum). While
 * locked, logins are refused with 429 before the password is even checked, the right one too.
 * A quiet window forgets the count; a successful login forgets the email's count (not the IP's,
 * or one valid account would let an attacker reset their IP's count at will).
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: ThrottleConfig,
  ) {}

  async assertAllowed(email: string, ip: string): Promise<void> {
    const [row] = await this.dataSource.query<{ retry_after: number | null }[]>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS retry_after
         FROM auth.login_failures WHERE key = ANY($1) AND locked_until > now()`,
      [[emailKey(email), ipKey(ip)]],
    );
    if (row?.retry_after) throw new TooManyLoginAttemptsError(Math.max(1, row.retry_after));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const [key, threshold] of [
        [emailKey(email), this.config.LOGIN_MAX_FAILURES],
        [ipKey(ip), this.config.LOGIN_MAX_FAILURES_PER_IP],
      ] as const) {
        await queryRows(
          manager,
          `INSERT INTO auth.login_failures AS f (key, failures, last_failure_at) VALUES ($1, 1, now())
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN greatest(f.last_failure_at, f.locked_until) < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END,
             last_failure_at = now()`,
          [key, this.config.LOGIN_FAILURE_WINDOW_SECONDS],
        );
        await manager.query(
          `UPDATE auth.login_failures
              SET locked_until = now() + make_interval(secs => least($3::float8, $2::float8 * power(2, failures - $4)))
            WHERE key = $1 AND failures >= $4`,
          [key, this.config.LOGIN_LOCKOUT_SECONDS, this.config.LOGIN_LOCKOUT_MAX_SECONDS, threshold],
        );
      }
    });
  }

  async recordSuccess(email: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM auth.login_failures WHERE key = $1`, [emailKey(email)]);
  }
}

const emailKey = (email: string) => `email:${createHash('sha256').update(email).digest('hex')}`;
const ipKey = (ip: string) => `ip:${ip}`;
