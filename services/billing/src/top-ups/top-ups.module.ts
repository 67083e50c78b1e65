import { DynamicModule, Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import type { BillingConfig } from '../billing.config';
import { GetTopUpHttpController } from './get-top-up/get-top-up.http.controller';
import { PaymentProvider } from './payment-provider';
import { ProcessTopUpsHandler } from './process-top-ups/process-top-ups.handler';
import { TopUpPoller } from './process-top-ups/top-up-poller';
import { RequestTopUpHandler } from './request-top-up/request-top-up.handler';
import { RequestTopUpHttpController } from './request-top-up/request-top-up.http.controller';
import { SimulatedPaymentProvider } from './simulated-payment-provider';

@Module({})
export class TopUpsModule {
  static forConfig(config: BillingConfig): DynamicModule {
    return {
      module: TopUpsModule,
      controllers: [RequestTopUpHttpController, GetTopUpHttpController],
      providers: [
        { provide: PaymentProvider, useValue: paymentProviderFor(config) },
        RequestTopUpHandler,
        ProcessTopUpsHandler,
        TopUpPoller,
        AccessTokenGuard,
      ],
    };
  }
}

/** The adapter PAYMENT_PROVIDER names; a real provider's adapter would be chosen here too. */
function paymentProviderFor(config: BillingConfig): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'simulated':
      return new SimulatedPaymentProvider({
        latencyMs: config.PAYMENT_SIMULATED_LATENCY_MS,
        failureRate: config.PAYMENT_SIMULATED_FAILURE_RATE,
        declineRate: config.PAYMENT_SIMULATED_DECLINE_RATE,
        failFirst: config.PAYMENT_SIMULATED_FAIL_FIRST,
      });
  }
}
