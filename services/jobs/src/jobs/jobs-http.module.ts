import { Module } from '@nestjs/common';

/** The public jobs API: submit, get, list, cancel. */
@Module({})
export class JobsHttpModule {}
