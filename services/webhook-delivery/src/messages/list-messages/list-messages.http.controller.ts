import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { adminListMessagesRequest, listMessagesRequest, type ListMessagesRequest } from './list-messages.request';
import { MessagesQueries } from './messages.queries';

@Controller('v1/webhooks/messages')
@UseGuards(AccessTokenGuard)
export class ListMessagesHttpController {
  constructor(private readonly queries: MessagesQueries) {}

  @Get()
  list(@CurrentPrincipal() { userId }: Principal, @Query(new JoiPipe(listMessagesRequest)) query: ListMessagesRequest) {
    return this.queries.list({ userId }, query);
  }

  @Get(':id/attempts')
  attempts(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string) {
    return this.queries.attempts({ userId }, id);
  }
}

/** The same across every client, for administrators (`?userId=` narrows it to one). */
@Controller('v1/webhooks/admin/messages')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class AdminListMessagesHttpController {
  constructor(private readonly queries: MessagesQueries) {}

  @Get()
  list(@Query(new JoiPipe(adminListMessagesRequest)) query: ListMessagesRequest) {
    return this.queries.list('all', query);
  }

  @Get(':id/attempts')
  attempts(@Param('id') id: string) {
    return this.queries.attempts('all', id);
  }
}
