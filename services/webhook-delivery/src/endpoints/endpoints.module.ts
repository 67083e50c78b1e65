import { Module } from '@nestjs/common';
import { MessageQueue } from '../messages/message-queue';
import { EndpointSecrets } from './endpoint-secrets';
import { EndpointUrlPolicy } from './endpoint-url';
import { EndpointsHandler } from './manage-endpoints/endpoints.handler';
import { EndpointsHttpController } from './manage-endpoints/endpoints.http.controller';
import { RotateSecretHandler } from './rotate-secret/rotate-secret.handler';
import { RotateSecretHttpController } from './rotate-secret/rotate-secret.http.controller';
import { SendTestMessageHandler } from './send-test-message/send-test-message.handler';
import { SendTestMessageHttpController } from './send-test-message/send-test-message.http.controller';

/** Endpoints and their secrets: the client API, and the secrets and URL policy delivery uses. */
@Module({
  controllers: [EndpointsHttpController, RotateSecretHttpController, SendTestMessageHttpController],
  providers: [EndpointsHandler, RotateSecretHandler, SendTestMessageHandler, EndpointSecrets, EndpointUrlPolicy, MessageQueue],
  exports: [EndpointSecrets, EndpointUrlPolicy, MessageQueue],
})
export class EndpointsModule {}
