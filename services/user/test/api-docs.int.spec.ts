import { describeApiDocuments } from '@conveyor/service-testing';
import { userService } from '../src/user.definition';

describeApiDocuments(userService);
