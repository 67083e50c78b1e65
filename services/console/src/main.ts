import { resolve } from 'node:path';
import pino from 'pino';
import { loadConsoleConfig } from './config/console.config';
import { createConsoleServer } from './server';

/**
 * The web console: the single-page app from `public/` and a same-origin pass-through to the
 * services' APIs. It owns no data, so it has no database, broker or migrations.
 */
const config = loadConsoleConfig();
const logger = pino({ level: config.LOG_LEVEL, base: { service: 'console' }, messageKey: 'message', timestamp: pino.stdTimeFunctions.isoTime });
// Next to src/ both in the repository and in dist/ (the build copies the folder).
const publicDir = resolve(__dirname, '../public');
const { server, drain } = createConsoleServer({ upstreams: config.upstreams, publicDir, logger });

server.listen(config.HTTP_PORT, config.HTTP_HOST, () => {
  logger.info({ port: config.HTTP_PORT, upstreams: config.upstreams }, `Console listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
});

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'Shutting down');
  drain();
  server.close(() => {
    logger.info('Stopped');
    process.exit(0);
  });
  // Requests still running after the limit are cut, so the process never hangs on one.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, config.SHUTDOWN_TIMEOUT_MS).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
