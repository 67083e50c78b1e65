import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { checkOutboundUrl, type OutboundUrlPolicy } from '@conveyor/ssrf-guard';
import type { WebhookDeliveryConfig } from '../webhook-delivery.config';
import { EndpointUrlRefusedError } from './endpoints.errors';

/**
 * The one SSRF policy of this service, built once from the configuration: the URL check when
 * an endpoint is saved and `guardedRequest` at every delivery use the same object (the guard
 * pools its sockets per policy object).
 */
@Injectable()
export class EndpointUrlPolicy {
  readonly policy: OutboundUrlPolicy;

  constructor(@Inject(APP_CONFIG) config: WebhookDeliveryConfig) {
    this.policy = { allowHttp: config.WEBHOOKS_ALLOW_HTTP, allowLoopback: config.WEBHOOKS_ALLOW_LOOPBACK };
  }

  /** The URL in its normal form, or a 422 that says why it is refused. */
  async accept(url: string): Promise<string> {
    const check = await checkOutboundUrl(url, this.policy);
    if (!check.ok) throw new EndpointUrlRefusedError(check.reason);
    return check.url.toString();
  }
}
