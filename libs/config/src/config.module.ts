import { DynamicModule, Module } from '@nestjs/common';

/** Injection token of the parsed, typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Module({})
export class ConfigModule {
  /** Makes an already parsed configuration injectable everywhere as `APP_CONFIG`. */
  static forConfig<T>(config: T): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
