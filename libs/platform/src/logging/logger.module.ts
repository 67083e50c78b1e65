import { activeTraceIds } from '@conveyor/tracing';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { redactUrl } from './redact-url';

/** Paths and headers that must never reach a log line. */
const SECRET_FIELDS = ['password', 'currentPassword', 'newPassword', 'token', 'accessToken', 'refreshToken', 'secret', 'apiKey', 'authorization', 'cookie'];

/**
 * Paths and headers that must never reach a log line. Request logs carry no bodies or headers
 * at all (see the serializers); these catch objects handed to the logger by code: a secret field
 * at the top or one level down, and the bound parameters of a failed SQL statement (TypeORM's
 * QueryFailedError carries them, and they may hold key hashes, secrets or tokens).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'err.parameters',
  'err.driverError.parameters',
];

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * JSON logs through pino: one line per request (no bodies), every line with the service
 * name and, inside a traced operation, its `trace_id` and `span_id`.
 */
export function loggerModule(service: string, level: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      formatters: { level: (label: string) => ({ level: label }) },
      mixin: () => activeTraceIds() ?? {},
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => {
        const incoming = req.headers['x-request-id'];
        return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.some((p) => req.url?.startsWith(p)) },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
