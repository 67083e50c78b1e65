import { GUARDS_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Schema } from 'joi';
import { JoiPipe } from '../http/joi.pipe';

/** What the API document needs to know about one route handler, read from Nest's metadata. */
export interface RouteFacts {
  guards: Type[];
  body?: Schema;
  query?: Schema;
  params?: Schema;
  /** The `multipart/form-data` form of the body, when the route also takes one. */
  multipart?: MultipartBody;
}

/** A body's `multipart/form-data` form: the parts' schema and how each part is encoded. */
export interface MultipartBody {
  schema: Record<string, unknown>;
  encoding?: Record<string, { contentType: string }>;
}

export const MULTIPART_BODY = 'conveyor:api-multipart-body';

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/** Route facts by operation id (`Controller.method`, see `operationIdOf`). */
export function collectRouteFacts(modules: ModulesContainer): Map<string, RouteFacts> {
  const facts = new Map<string, RouteFacts>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const proto = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(proto)) {
        const handler = proto[method];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        facts.set(operationIdOf(controller.name, method), factsOf(controller, method, handler));
      }
    }
  }
  return facts;
}

export function operationIdOf(controller: string, method: string): string {
  return `${controller.replace(/HttpController$|Controller$/, '')}.${method}`;
}

function factsOf(controller: Type, method: string, handler: object): RouteFacts {
  const guards = [...(Reflect.getMetadata(GUARDS_METADATA, controller) ?? []), ...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? [])];
  const args: Record<string, RouteArgument> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
  const facts: RouteFacts = { guards, multipart: Reflect.getMetadata(MULTIPART_BODY, handler) };
  for (const [key, arg] of Object.entries(args)) {
    const schema = arg.pipes?.find((pipe): pipe is JoiPipe<unknown> => pipe instanceof JoiPipe)?.schema;
    if (!schema || arg.data !== undefined) continue;
    const type = Number(key.split(':')[0]);
    if (type === RouteParamtypes.BODY) facts.body = schema;
    if (type === RouteParamtypes.QUERY) facts.query = schema;
    if (type === RouteParamtypes.PARAM) facts.params = schema;
  }
  return facts;
}
