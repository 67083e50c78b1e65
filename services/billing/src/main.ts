import { startTracing } from '@conveyor/tracing';
startTracing('billing');

// Loaded only now, so that tracing has patched http and pg before Nest and TypeORM load them.
import { runService } from '@conveyor/platform';
import { billingService } from './billing.definition';

void runService(billingService);
