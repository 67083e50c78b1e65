import { DynamicModule, Module } from '@nestjs/common';
import type { ObjectSchema } from 'joi';
import { loadConfig } from './load-config';

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

  /** Parses the environment now (module definition time, i.e. before Nest starts). */
  static forRoot<T>(schema: ObjectSchema<T>, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return ConfigModule.forConfig(loadConfig(schema, env));
  }
}
