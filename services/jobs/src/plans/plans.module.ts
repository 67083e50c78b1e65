import { Module } from '@nestjs/common';

/** The jobs service's projection of billing's plans (how many jobs may run at once). */
@Module({})
export class PlansModule {}
