import { Module } from '@nestjs/common';

/** The jobs service's projection of auth's API keys, and the guard that checks them. */
@Module({})
export class ApiKeysModule {}
