import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { AdminListMessagesHttpController, ListMessagesHttpController } from './list-messages/list-messages.http.controller';
import { MessagesQueries } from './list-messages/messages.queries';
import { OnPublicEventHandler } from './on-public-event/on-public-event.handler';
import { SubscriptionPrefilter } from './on-public-event/subscriptions';
import { AdminReplayHttpController, ReplayHttpController } from './replay-messages/replay.http.controller';
import { ReplayHandler } from './replay-messages/replay.handler';

/** Events in (as messages), the delivery log and replay out. */
@Module({
  imports: [EndpointsModule],
  controllers: [
    OnPublicEventHandler,
    ListMessagesHttpController,
    AdminListMessagesHttpController,
    ReplayHttpController,
    AdminReplayHttpController,
  ],
  providers: [MessagesQueries, ReplayHandler, SubscriptionPrefilter],
})
export class MessagesModule {}
