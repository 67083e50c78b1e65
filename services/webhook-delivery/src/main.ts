import { startTracing } from '@conveyor/tracing';
startTracing('webhook-delivery');

// Loaded only now, so that tracing has patched http and pg before Nest and TypeORM load them.
import { runService } from '@conveyor/platform';
import { webhookDeliveryService } from './webhook-delivery.definition';

void runService(webhookDeliveryService);
