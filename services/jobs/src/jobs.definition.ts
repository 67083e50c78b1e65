import { RateLimitModule, type ServiceDefinition } from '@conveyor/platform';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { ClientAuthGuard } from './api-keys/client-auth.guard';
import { jobsEnvSchema, type JobsConfig } from './jobs.config';
import { Job } from './jobs/job.entity';
import { JobProcessingModule } from './jobs/job-processing.module';
import { JobsHttpModule } from './jobs/jobs-http.module';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';
import { CreateJobs1764316800000 } from './migrations/1764316800000-create-jobs';
import { ApiKeyUsageAndIdempotencyClaims1764320000000 } from './migrations/1764320000000-api-key-usage-and-idempotency-claims';
import { AddJobTraceContext1764330000000 } from './migrations/1764330000000-add-job-trace-context';
import { AddJobLease1764340000000 } from './migrations/1764340000000-add-job-lease';
import { AddJobBlobs1764350000000 } from './migrations/1764350000000-add-job-blobs';
import { McpHttpModule } from './mcp/mcp-http.module';
import { CreateVendorTables1764360000000 } from './migrations/1764360000000-create-vendor-tables';
import { AddJobRetryDelay1764370000000 } from './migrations/1764370000000-add-job-retry-delay';
import { CreateJobStatusLog1764380000000 } from './migrations/1764380000000-create-job-status-log';
import { PlansModule } from './plans/plans.module';
import { ResultsHttpModule } from './results/results-http.module';
import { VendorCallbacksHttpModule } from './vendors/vendor-callbacks-http.module';
import { CreateDeletedUsers1764576240000 } from './migrations/1764576240000-create-deleted-users';
import { CreateRateLimits1764576420000 } from './migrations/1764576420000-create-rate-limits';
import { AddPendingJobsIndex1764600000000 } from './migrations/1764600000000-add-pending-jobs-index';
import { UsersModule } from './users/users.module';
import { CreateConsumerFailures1764700000000 } from './migrations/1764700000000-create-consumer-failures';
import { UnloggedRateLimits1764800000000 } from './migrations/1764800000000-unlogged-rate-limits';
import { NotifyApiKeyChanges1764900000000 } from './migrations/1764900000000-notify-api-key-changes';
import { VendorSignatureGuard } from './vendors/receive-callback/vendor-signature.guard';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './vendors/vendor-signature';

export const jobsService: ServiceDefinition<JobsConfig> = {
  name: 'jobs',
  schema: 'jobs',
  envSchema: jobsEnvSchema,
  entities: [Job],
  migrations: [
    CreateMessaging1764230400000,
    CreateJobs1764316800000,
    ApiKeyUsageAndIdempotencyClaims1764320000000,
    AddJobTraceContext1764330000000,
    AddJobLease1764340000000,
    AddJobBlobs1764350000000,
    CreateVendorTables1764360000000,
    AddJobRetryDelay1764370000000,
    CreateJobStatusLog1764380000000,
    CreateDeletedUsers1764576240000,
    CreateRateLimits1764576420000,
    AddPendingJobsIndex1764600000000,
    CreateConsumerFailures1764700000000,
    UnloggedRateLimits1764800000000,
    NotifyApiKeyChanges1764900000000,
  ],
  apiDocs: {
    title: 'Conveyor jobs',
    description:
      'Submit jobs, follow them (polling or Server-Sent Events), cancel them and download their results. ' +
      'Clients authenticate with an API key or an access token; vendors call back with a signed request.',
    securityOf: [
      [ClientAuthGuard, [['apiKey'], ['accessToken']]],
      [VendorSignatureGuard, [['vendorSignature', 'vendorTimestamp']]],
    ],
    securitySchemes: {
      vendorSignature: {
        type: 'apiKey',
        in: 'header',
        name: SIGNATURE_HEADER,
        description: '`v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with the vendor\'s `secret` from `JOBS_VENDORS`.',
      },
      vendorTimestamp: {
        type: 'apiKey',
        in: 'header',
        name: TIMESTAMP_HEADER,
        description: 'Unix seconds at which the callback was signed; refused when more than 300 s away from now.',
      },
    },
  },
  // A `worker` process serves only the health routes over HTTP.
  modules: (config) => [
    ApiKeysModule,
    PlansModule,
    UsersModule,
    RateLimitModule.forService('jobs', config),
    ...(config.JOBS_ROLE === 'worker' ? [] : [JobsHttpModule, ResultsHttpModule, VendorCallbacksHttpModule, McpHttpModule]),
    JobProcessingModule,
  ],
};
