import { Module } from '@nestjs/common';

/** Moves jobs through their lifecycle: billing's decisions, the worker, the processors. */
@Module({})
export class JobProcessingModule {}
