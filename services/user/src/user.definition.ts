import type { ServiceDefinition } from '@conveyor/platform';
import { userEnvSchema, type UserConfig } from './user.config';
import { CreateProfiles1764230400000 } from './migrations/1764230400000-create-profiles';
import { AnonymisableProfiles1764576120000 } from './migrations/1764576120000-anonymisable-profiles';
import { Profile } from './profiles/profile.entity';
import { ProfilesModule } from './profiles/profiles.module';
import { CreateConsumerFailures1764700000000 } from './migrations/1764700000000-create-consumer-failures';
import { CreateJobActivity1764800000000 } from './migrations/1764800000000-create-job-activity';
import { ActivityModule } from './activity/activity.module';

export const userService: ServiceDefinition<UserConfig> = {
  name: 'user',
  schema: 'users',
  envSchema: userEnvSchema,
  entities: [Profile],
  migrations: [
    CreateProfiles1764230400000,
    AnonymisableProfiles1764576120000,
    CreateConsumerFailures1764700000000,
    CreateJobActivity1764800000000,
  ],
  modules: () => [ProfilesModule, ActivityModule],
};
