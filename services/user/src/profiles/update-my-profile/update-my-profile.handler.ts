import { Injectable } from '@nestjs/common';
import { createEvent, UserUpdatedV1 } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import { findJobActivity, type JobActivity } from '../../activity/job-activity';
import { findLiveProfile } from '../live-profile';
import { Profile } from '../profile.entity';
import type { UpdateMyProfileRequest } from './update-my-profile.request';

/**
 * Changes the profile and records `users.user.updated.v1` in one transaction; answers with the
 * job summary too, since the route returns the whole profile.
 */
@Injectable()
export class UpdateMyProfileHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(userId: string, request: UpdateMyProfileRequest): Promise<{ profile: Profile; activity: JobActivity }> {
    return this.dataSource.transaction(async (manager) => {
      const profile = await findLiveProfile(manager, userId, true);
      if (request.name !== undefined) profile.name = request.name;
      const saved = await manager.save(Profile, profile);
      await this.outbox.add(
        createEvent(UserUpdatedV1, {
          source: '/conveyor/user',
          subject: profile.userId,
          data: { userId: profile.userId, name: saved.name, updatedAt: saved.updatedAt.toISOString() },
        }),
        manager,
      );
      return { profile: saved, activity: await findJobActivity(manager, saved.userId) };
    });
  }
}
