import { startTracing } from '@conveyor/tracing';
startTracing('jobs');

// Loaded only now, so that tracing has patched http and pg before Nest and TypeORM load them.
import { runService } from '@conveyor/platform';
import { jobsService } from './jobs.definition';

void runService(jobsService);
