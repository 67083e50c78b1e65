import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { DownloadResultHttpController } from './download-result/download-result.http.controller';
import { DownloadSignedResultHttpController } from './download-result/download-signed-result.http.controller';
import { ResultDownload } from './download-result/result-download';
import { ResultsModule } from './results.module';

/** Result downloads: by the owner (`GET /v1/jobs/:id/result`) and by signed link (`GET /v1/results/:id`). */
@Module({
  imports: [ApiKeysModule, ResultsModule],
  controllers: [DownloadResultHttpController, DownloadSignedResultHttpController],
  providers: [ResultDownload],
})
export class ResultsHttpModule {}
