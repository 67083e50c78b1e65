import { describeApiDocuments } from '@conveyor/service-testing';
import { webhookDeliveryService } from '../src/webhook-delivery.definition';

describeApiDocuments(webhookDeliveryService);
