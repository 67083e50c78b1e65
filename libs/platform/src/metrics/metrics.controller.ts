import { Controller, Get, Res } from '@nestjs/common';
import { metricsRegistry } from '@conveyor/metrics';
import type { Response } from 'express';

/**
 * Prometheus scrapes this. Like the health routes it needs no credential; it carries counts and
 * timings, never ids or personal data, and belongs on the internal network (the ingress should
 * not route it).
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    response.set('Content-Type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
