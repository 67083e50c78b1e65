import { Body, Controller, Headers, Post, Req, Res, UseGuards } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import type { Request, Response } from 'express';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { idempotencyOf } from './idempotency-key';
import { SubmitJobHandler } from './submit-job.handler';
import { submitJobRequest, type SubmitJobRequest } from './submit-job.request';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class SubmitJobHttpController {
  constructor(private readonly handler: SubmitJobHandler) {}

  /** The answer's status and headers vary (a replay repeats the stored ones), so it is sent here. */
  @Post()
  @RequireScope('jobs:write')
  async submit(
    @Body(new JoiPipe(submitJobRequest)) body: SubmitJobRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentClient() client: ClientPrincipal,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // The fingerprint is of the body the client sent, before any normalisation.
    const reply = await this.handler.execute(client, body, idempotencyOf(idempotencyKey, request.body));
    response.status(reply.status).set(reply.headers);
    if (reply.replayed) response.set('Idempotent-Replayed', 'true');
    response.json(reply.body);
  }
}
