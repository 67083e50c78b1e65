import fc from 'fast-check';
import { deeplyNested, hostileString, hostileValue, INVALID_UUIDS, malformedJson } from './hostile-values';

/** One public route, described by a request that the service would accept. */
export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With `:name` placeholders, e.g. `/v1/jobs/:id`. */
  path: string;
  /** A valid value for each placeholder (an existing resource of the caller's, or any UUID). */
  params?: Record<string, string>;
  /** Valid query parameters. */
  query?: Record<string, string>;
  /** A valid JSON body. */
  body?: Record<string, unknown>;
  /** Headers a valid request carries besides the credential (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
  /** Whether the route takes `Authorization: Bearer <credential>`. */
  auth: boolean;
  /**
   * Headers that authenticate the exact body (a signed callback). The fuzz signs half of its
   * mutated bodies with it, so validation behind the signature check is reached too.
   */
  sign?: (body: string) => Record<string, string>;
}

/** Credentials the spec has: a valid one, and ones that must be refused. */
export interface FuzzCredentials {
  valid: string;
  /** Expired, tampered, `alg: none`, signed by an unknown key, revoked… */
  refused: readonly string[];
}

/** A request as sent on the wire: header values may repeat (`string[]`). */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
  /** What was done to the valid request, for the failure message. */
  mutations: string[];
}

type Mutation = (request: RawRequest, route: FuzzRoute, credentials: FuzzCredentials) => fc.Arbitrary<RawRequest>;

const with_ = (request: RawRequest, change: Partial<RawRequest>, note: string): RawRequest => ({
  ...request,
  ...change,
  headers: { ...request.headers, ...change.headers },
  mutations: [...request.mutations, note],
});

const jsonOf = (value: unknown) => JSON.stringify(value);

/** encodeURIComponent throws on half a surrogate pair; the wire would carry U+FFFD anyway. */
const encode = (value: string) => encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

/** The route's valid request. */
export function validRequest(route: FuzzRoute, credentials: FuzzCredentials): RawRequest {
  const body = route.body !== undefined ? jsonOf(route.body) : undefined;
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => encode(route.params?.[name] ?? ''));
  const query = route.query ? `?${new URLSearchParams(route.query)}` : '';
  return {
    method: route.method,
    path: `${path}${query}`,
    headers: {
      ...(route.body !== undefined && { 'content-type': 'application/json' }),
      ...(route.auth && { authorization: `Bearer ${credentials.valid}` }),
      ...route.headers,
      ...(route.sign && route.sign(body ?? '')),
    },
    ...(body !== undefined && { body }),
    mutations: [],
  };
}

/** Body mutations: fields dropped, retyped, added; the whole body replaced; JSON broken. */
const bodyMutations: Mutation = (request, route) => {
  const body = route.body ?? {};
  const fields = Object.keys(body);
  const options: fc.Arbitrary<RawRequest>[] = [
    fc.tuple(fc.string({ maxLength: 12 }).map((k) => `extra_${k}`), hostileValue).map(([key, value]) =>
      with_(request, { body: jsonOf({ ...body, [key]: value }), headers: { 'content-type': 'application/json' } }, `extra field ${key}`),
    ),
    hostileValue.map((value) => with_(request, { body: jsonOf(value), headers: { 'content-type': 'application/json' } }, 'body replaced')),
    malformedJson.map((text) => with_(request, { body: text, headers: { 'content-type': 'application/json' } }, `malformed JSON (${text.length} chars)`)),
  ];
  if (fields.length > 0) {
    options.push(
      fc.subarray(fields, { minLength: 1 }).map((drop) =>
        with_(request, { body: jsonOf(Object.fromEntries(Object.entries(body).filter(([k]) => !drop.includes(k)))) }, `dropped ${drop.join(',')}`),
      ),
      fc.tuple(fc.constantFrom(...fields), hostileValue).map(([field, value]) =>
        with_(request, { body: jsonOf({ ...body, [field]: value }) }, `${field} replaced`),
      ),
      fc.tuple(fc.constantFrom(...fields), hostileString).map(([field, value]) =>
        with_(request, { body: jsonOf({ ...body, [field]: value }) }, `${field} as string`),
      ),
      fc.tuple(fc.constantFrom(...fields), fc.constantFrom(1_000, 100_000)).map(([field, depth]) =>
        with_(request, { body: jsonOf(body).replace(/}$/, `,"${field}__nested":${deeplyNested(depth)}}`) }, `${field} nested ${depth}`),
      ),
    );
  }
  return fc.oneof(...options);
};

/** Content types the route does not take, with the same bytes. */
const contentTypeMutations: Mutation = (request) =>
  fc
    .constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'multipart/form-data; boundary=----x',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/xml',
      'application/octet-stream',
      '',
      'application/json, text/html',
      '*/*',
    )
    .chain((type) =>
      fc.constantFrom<RawRequest>(
        with_(request, { headers: { 'content-type': type } }, `content-type ${type}`),
        with_(request, { headers: { 'content-type': type, 'content-encoding': 'gzip' } }, `content-type ${type}, gzip claimed`),
        with_(request, { headers: { 'content-type': type }, body: request.body ?? '{"a":1}' }, `content-type ${type} with body`),
      ),
    );

/** Authorization and other header abuse. */
const headerMutations: Mutation = (request, _route, credentials) => {
  const refused = credentials.refused.length > 0 ? credentials.refused : ['x'];
  return fc.oneof(
    fc.constantFrom(...refused).map((token) => with_(request, { headers: { authorization: `Bearer ${token}` } }, 'refused credential')),
    fc
      .constantFrom(
        '',
        'Bearer',
        'Bearer ',
        'bearer  x',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        `Bearer ${credentials.valid} extra`,
        `Bearer ${credentials.valid.slice(0, -4)}AAAA`,
        `Bearer ${'a'.repeat(4_000)}`,
        'Bearer ck_live_',
        `Bearer ck_live_${'0'.repeat(129)}`,
        'Bearer eyJhbGciOiJub25lIn0.e30.',
      )
      .map((value) => with_(request, { headers: { authorization: value } }, `authorization "${value.slice(0, 30)}"`)),
    fc.constantFrom(...refused).map((token) =>
      with_(request, { headers: { authorization: [`Bearer ${token}`, `Bearer ${credentials.valid}`] } }, 'duplicate authorization'),
    ),
    fc.constant(with_(request, { headers: { authorization: [`Bearer ${credentials.valid}`, `Bearer ${credentials.valid}`] } }, 'same authorization twice')),
    fc
      .constantFrom('', ' ', 'a'.repeat(256), Buffer.from('ключ').toString('latin1'), 'a\tb', '\u00ff', "'; DROP TABLE idempotency_keys; --", 'x'.repeat(10_000))
      .map((key) => with_(request, { headers: { 'idempotency-key': key } }, `idempotency-key "${key.slice(0, 20)}"`)),
    fc.constant(with_(request, { headers: { 'idempotency-key': ['a', 'b'] } }, 'two idempotency keys')),
    fc.constantFrom(9_000, 70_000).map((n) => with_(request, { headers: { 'x-filler': 'y'.repeat(n) } }, `giant header ${n}`)),
    fc.constant(with_(request, { headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, 'v'])) }, 'many headers')),
    fc
      .constantFrom('application/xml', 'text/html', 'garbage', '*/*;q=bad')
      .map((accept) => with_(request, { headers: { accept } }, `accept ${accept}`)),
    fc.constant(with_(request, { headers: { 'last-event-id': "'; --" } }, 'bad last-event-id')),
    fc.constantFrom('-1', 'abc', '99999999999999999999').map((n) => with_(request, { headers: { 'content-length': n } }, `content-length ${n}`)),
    fc.constant<RawRequest>({
      ...request,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([k]) => k !== 'authorization')),
      mutations: [...request.mutations, 'no authorization'],
    }),
  );
};

/** Path parameters and query strings: invalid UUIDs, injection, unicode, broken escapes. */
const urlMutations: Mutation = (request, route) => {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const renderPath = (value: (name: string) => string) => route.path.replace(/:(\w+)/g, (_, name: string) => value(name));
  const query = request.path.includes('?') ? request.path.slice(request.path.indexOf('?')) : '';
  const options: fc.Arbitrary<RawRequest>[] = [
    fc.tuple(fc.string({ maxLength: 10 }), hostileString).map(([key, value]) => {
      const q = new URLSearchParams(route.query);
      q.set(key || 'x', value.slice(0, 3_000));
      return with_(request, { path: `${renderPath((n) => encode(route.params?.[n] ?? ''))}?${q}` }, `query ${key}`);
    }),
    fc.constantFrom('?%E0%A4%A', '?a=%', '?limit[]=1&limit[]=2', '?limit[a]=1', '?cursor[0]=x', '?__proto__[admin]=1', '?limit=1e3', '?limit=-1&limit=5').map((q) =>
      with_(request, { path: `${renderPath((n) => encode(route.params?.[n] ?? ''))}${q}` }, `query ${q}`),
    ),
  ];
  if (route.query) {
    const keys = Object.keys(route.query);
    options.push(
      fc.tuple(fc.constantFrom(...keys), hostileString).map(([key, value]) => {
        const q = new URLSearchParams(route.query);
        q.set(key, value.slice(0, 3_000));
        return with_(request, { path: `${renderPath((n) => encode(route.params?.[n] ?? ''))}?${q}` }, `query ${key} hostile`);
      }),
    );
  }
  if (names.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...names), fc.oneof(fc.constantFrom(...INVALID_UUIDS), hostileString.map((s) => s.slice(0, 2_000)))).map(([name, value]) =>
        with_(request, { path: `${renderPath((n) => encode(n === name ? value : (route.params?.[n] ?? '')))}${query}` }, `:${name} hostile`),
      ),
      fc.constantFrom('%', '%E0%A4%A', '%00', '..%2F..%2F', '%2e%2e', 'a%2Fb', '%C0%AF').map((raw) =>
        with_(request, { path: `${renderPath(() => raw)}${query}` }, `:param raw ${raw}`),
      ),
    );
  }
  return fc.oneof(...options);
};

/** Any of the mutations above, sometimes two at once. */
export function hostileRequest(route: FuzzRoute, credentials: FuzzCredentials): fc.Arbitrary<RawRequest> {
  const start = validRequest(route, credentials);
  const mutations: Mutation[] = [bodyMutations, contentTypeMutations, headerMutations, urlMutations];
  const one = (request: RawRequest) => fc.constantFrom(...mutations).chain((mutate) => mutate(request, route, credentials));
  const mutated = fc.oneof({ arbitrary: one(start), weight: 3 }, { arbitrary: one(start).chain(one), weight: 1 });
  const { sign } = route;
  if (!sign) return mutated;
  return fc
    .tuple(mutated, fc.boolean())
    .map(([request, signed]) => (signed ? with_(request, { headers: sign(request.body ?? '') }, 'signed') : request));
}

/**
 * Requests that the service must refuse whatever it does with them, so they may not change
 * anything: an unknown body field (bodies refuse unknown fields), a refused credential, JSON
 * that does not parse, an id that is not a UUID.
 */
export function refusedRequest(route: FuzzRoute, credentials: FuzzCredentials): fc.Arbitrary<RawRequest> {
  const start = validRequest(route, credentials);
  const options: fc.Arbitrary<RawRequest>[] = [];
  if (route.auth && credentials.refused.length > 0) {
    options.push(fc.constantFrom(...credentials.refused).map((token) => with_(start, { headers: { authorization: `Bearer ${token}` } }, 'refused credential')));
    options.push(fc.constant(with_(start, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } }, 'alg none')));
  }
  if (route.body !== undefined) {
    options.push(
      fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), hostileValue).map(([key, value]) =>
        with_(start, { body: jsonOf({ ...route.body, [`unknown_${key}`]: value }) }, `unknown field unknown_${key}`),
      ),
      malformedJson
        .filter((text) => {
          // An empty body counts as no body, which some routes take (logout with the cookie).
          if (text.trim() === '') return false;
          try {
            JSON.parse(text);
            return false;
          } catch {
            return true;
          }
        })
        .map((text) => with_(start, { body: text }, `malformed JSON (${text.length} chars)`)),
    );
  }
  if (/:\w+/.test(route.path)) {
    options.push(
      fc.constantFrom(...INVALID_UUIDS).map((id) => with_(start, { path: route.path.replace(/:(\w+)/g, encode(id)) }, `id ${id}`)),
    );
  }
  if (options.length === 0) return fc.constant(with_(start, {}, 'none'));
  return fc.oneof(...options);
}
