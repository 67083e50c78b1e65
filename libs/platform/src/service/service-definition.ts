import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import type { ServiceConfig } from '@conveyor/config';
import type { ObjectSchema } from 'joi';
import type { AccessTokenKeys } from '../access-token/access-token-keys';
import type { ApiDocsDefinition } from '../api-docs/openapi-document';
import type { EventPrefilter } from '@conveyor/messaging';
import type { MixedList } from 'typeorm';

type ModuleImport = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/** Everything that makes one service different from the others; the rest is shared. */
export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  /** Service name: logs, traces, its queue and its inbox consumer key. */
  name: string;
  /** The Postgres schema it owns. */
  schema: string;
  envSchema: ObjectSchema<C>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** The service's feature modules (controllers, handlers), built from its config. */
  modules: (config: C) => ModuleImport[];
  /** Where access-token keys come from; by default auth's JWKS (`AUTH_JWKS_URL`). */
  accessTokenKeys?: Type<AccessTokenKeys>;
  /** Title, description and the security of the service's own guards, for its OpenAPI document. */
  apiDocs?: ApiDocsDefinition;
  /**
   * Event types it publishes that no service has to consume: published without `mandatory`,
   * so with no queue bound they are dropped instead of failing in the outbox until abandoned.
   */
  eventsWithoutConsumers?: readonly string[];
  /** A provider of its modules that tells which events cannot concern it; those are acked without a transaction. */
  eventPrefilter?: Type<EventPrefilter>;
  /** Operator commands beside `migrate`, run as `node main.ts <name> [args…]`. */
  commands?: Record<string, ServiceCommand<C>>;
}

/** Runs once with the parsed environment and the command's arguments, then the process exits. */
export type ServiceCommand<C> = (config: C, args: string[]) => Promise<string>;
