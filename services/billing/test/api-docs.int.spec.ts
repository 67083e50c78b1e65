import { describeApiDocuments } from '@conveyor/service-testing';
import { billingService } from '../src/billing.definition';

describeApiDocuments(billingService);
