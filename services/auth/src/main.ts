import { startTracing } from '@conveyor/tracing';
startTracing('auth');

// Loaded only now, so that tracing has patched http and pg before Nest and TypeORM load them.
import { runService } from '@conveyor/platform';
import { authService } from './auth.definition';

void runService(authService);
