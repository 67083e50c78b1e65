import { describeApiDocuments } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';

describeApiDocuments(authService);
