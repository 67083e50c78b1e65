import { Body, Controller, Headers, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiJoiBody, ApiMultipartBody, JoiPipe } from '@conveyor/platform';
import { ApiResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { ClientAuthGuard } from '../../api-keys/client-auth.guard';
import { CurrentClient, RequireScope, type ClientPrincipal } from '../../api-keys/client-principal';
import { idempotencyOf } from './idempotency-key';
import { JobUploadInterceptor } from './job-upload.interceptor';
import { bodyOfMultipart } from './multipart-fields';
import { SubmitJobHandler, type JobUpload } from './submit-job.handler';
import { submitJobMultipartBody, submitJobRequest } from './submit-job.request';

@Controller('v1/jobs')
@UseGuards(ClientAuthGuard)
export class SubmitJobHttpController {
  private readonly validate = new JoiPipe(submitJobRequest);

  constructor(private readonly handler: SubmitJobHandler) {}

  /**
   * A JSON body, or `multipart/form-data` with the same fields (`input` and `metadata` as JSON
   * text) and the file in the part `file`. The answer's status and headers vary (a replay
   * repeats the stored ones), so it is sent here.
   */
  @Post()
  @ApiJoiBody(submitJobRequest, {
    type: 'echo',
    input: { message: 'hello' },
    webhookUrl: 'https://client.example.com/hooks/conveyor',
    metadata: { orderId: '1042' },
  })
  @ApiMultipartBody(submitJobMultipartBody)
  @ApiResponse({
    status: 202,
    description: 'Accepted as `pending`; `Location` names the job. A repeated `Idempotency-Key` replays the first answer.',
    example: { id: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c', status: 'pending', statusUrl: '/v1/jobs/3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c', createdAt: '2025-01-15T09:30:00.000Z' },
  })
  @ApiResponse({ status: 422, description: 'Unknown job type (`JOBS.UNKNOWN_TYPE`), input refused by the type, or a refused `webhookUrl` (`JOBS.WEBHOOK_URL_REFUSED`).' })
  @RequireScope('jobs:write')
  @UseInterceptors(JobUploadInterceptor)
  async submit(
    @Body() sent: unknown,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentClient() client: ClientPrincipal,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const multipart = Boolean(request.is('multipart/form-data'));
    const fields = multipart ? bodyOfMultipart(sent) : sent;
    const body = this.validate.transform(fields);
    const upload: JobUpload | undefined = file && { data: file.buffer, contentType: file.mimetype || 'application/octet-stream' };
    // The fingerprint is of what the client sent, before any normalisation; a file by its hash.
    const fingerprinted = upload ? { ...(fields as object), file: createHash('sha256').update(upload.data).digest('hex') } : fields;
    const reply = await this.handler.execute(client, body, idempotencyOf(idempotencyKey, fingerprinted), upload);
    response.status(reply.status).set(reply.headers);
    if (reply.replayed) response.set('Idempotent-Replayed', 'true');
    response.json(reply.body);
  }
}
