import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { Profile } from '../profile.entity';
import { ProfileNotFoundError } from '../profiles.errors';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class GetMyProfileHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('me')
  async get(@CurrentPrincipal() principal: Principal) {
    const profile = await this.dataSource.getRepository(Profile).findOneBy({ userId: principal.userId });
    if (!profile) throw new ProfileNotFoundError();
    return {
      id: profile.userId,
      email: profile.email,
      name: profile.name,
      registeredAt: profile.registeredAt.toISOString(),
      updatedAt: profile.updatedAt.toISOString(),
    };
  }
}
