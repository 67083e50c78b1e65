import { Module } from '@nestjs/common';
import { OnPlanChangedHandler } from './on-plan-changed/on-plan-changed.handler';

/**
 * The jobs service's projection of billing's plans (how many jobs may run at once). A client
 * without a known plan gets DEFAULT_MAX_CONCURRENT_JOBS.
 */
@Module({ controllers: [OnPlanChangedHandler] })
export class PlansModule {}
