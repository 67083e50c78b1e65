import { startTracing } from '@conveyor/tracing';
startTracing('user');

// Loaded only now, so that tracing has patched http and pg before Nest and TypeORM load them.
import { runService } from '@conveyor/platform';
import { userService } from './user.definition';

void runService(userService);
