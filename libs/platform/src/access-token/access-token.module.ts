import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import type { CommonConfig } from '@conveyor/config';
import { AccessTokenKeys } from './access-token-keys';
import { AccessTokenVerifier } from './access-token-verifier';
import { RemoteJwks } from './remote-jwks';

@Global()
@Module({})
export class AccessTokenModule {
  /** By default keys come from auth's JWKS; auth passes its own key store instead. */
  static forConfig(config: CommonConfig, keys?: Type<AccessTokenKeys>): DynamicModule {
    const keysProvider = keys
      ? { provide: AccessTokenKeys, useClass: keys }
      : {
          provide: AccessTokenKeys,
          useValue: new RemoteJwks({
            url: config.AUTH_JWKS_URL,
            cacheSeconds: config.AUTH_JWKS_CACHE_SECONDS,
            refetchIntervalMs: config.AUTH_JWKS_REFETCH_INTERVAL_MS,
          }),
        };
    return {
      module: AccessTokenModule,
      providers: [keysProvider, AccessTokenVerifier],
      exports: [AccessTokenKeys, AccessTokenVerifier],
    };
  }
}
