import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@conveyor/testing';
import { AccessTokenVerifier } from './access-token-verifier';
import { RemoteJwks } from './remote-jwks';

interface Key {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const newKey = (): Key => ({ kid: randomUUID(), ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) });
const jwk = (k: Key) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'ES256', use: 'sig' });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('AccessTokenVerifier with keys from a JWKS endpoint (real HTTP)', () => {
  let server: Server;
  let url: string;
  let published: Key[];
  let fetches: number;
  let failing: boolean;
  const current = newKey();
  const userId = randomUUID();
  const claims = { sub: userId, email: 'ada@example.com', roles: ['user'] };

  beforeAll(async () => {
    server = createServer((_, res) => {
      fetches += 1;
      if (failing) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map(jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  beforeEach(() => {
    published = [current];
    fetches = 0;
    failing = false;
  });

  const verifier = (refetchIntervalMs = 0) => new AccessTokenVerifier(new RemoteJwks({ url, cacheSeconds: 300, refetchIntervalMs }));

  const sign = (key: Key, payload: object = claims, { expiresIn = 60 as number | null, ...options }: { expiresIn?: number | null; notBefore?: number; issuer?: string } = {}) =>
    new JwtService().signAsync(payload, {
      algorithm: 'ES256',
      keyid: key.kid,
      privateKey: key.privateKey,
      issuer: 'conveyor-auth',
      ...(expiresIn !== null && { expiresIn }),
      ...options,
    });

  it('accepts a token signed with a published key and names its principal', async () => {
    expect(await verifier().verify(await sign(current))).toEqual({ userId, email: 'ada@example.com', roles: ['user'] });
  });

  it('accepts tokens of the previous key while both are published', async () => {
    const next = newKey();
    published = [next, current];
    const v = verifier();

    expect(await v.verify(await sign(current))).toBeDefined();
    expect(await v.verify(await sign(next))).toBeDefined();
  });

  it('refetches the set for a kid it does not know, so a rotated-in key works at once', async () => {
    const v = verifier();
    expect(await v.verify(await sign(current))).toBeDefined();
    const next = newKey();
    published = [next, current];

    expect(await v.verify(await sign(next))).toBeDefined();
    expect(fetches).toBe(2);
  });

  it('refetches for unknown kids at most once per interval', async () => {
    const v = verifier(60_000);
    expect(await v.verify(await sign(current))).toBeDefined();

    for (let i = 0; i < 5; i += 1) expect(await v.verify(await sign(newKey()))).toBeUndefined();

    expect(fetches).toBe(1);
  });

  it('keeps the last good set when the endpoint fails', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const v = verifier();
    expect(await v.verify(await sign(current))).toBeDefined();
    failing = true;

    expect(await v.verify(await sign(newKey()))).toBeUndefined();
    expect(await v.verify(await sign(current))).toBeDefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('HTTP 503'));
    warn.mockRestore();
  });

  it('stops trusting a key dropped from the set once the cached set has expired and been refreshed', async () => {
    let clock = Date.now();
    const v = new AccessTokenVerifier(new RemoteJwks({ url, cacheSeconds: 300, refetchIntervalMs: 10_000, now: () => clock }));
    const token = await sign(current);
    expect(await v.verify(token)).toBeDefined();
    published = [newKey()];

    clock += 301_000;
    // the stale set still answers while a background fetch replaces it
    expect(await v.verify(token)).toBeDefined();
    await waitFor(() => fetches === 2, { description: 'the background refresh' });

    await waitFor(async () => (await v.verify(token)) === undefined, { description: 'the dropped key to be refused' });
  });

  it.each<[string, () => Promise<string>]>([
    ['a key that is not (or no longer) published', () => sign(newKey())],
    ['a published kid but another key', async () => sign({ ...newKey(), kid: current.kid })],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT', kid: current.kid })}.${b64({ ...claims, iss: 'conveyor-auth', exp: now() + 60 })}.`],
    [
      'HS256 with the public key as the HMAC secret',
      async () => {
        const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: current.kid })}.${b64({ ...claims, iss: 'conveyor-auth', exp: now() + 60 })}`;
        const pem = current.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        return `${unsigned}.${createHmac('sha256', pem).update(unsigned).digest('base64url')}`;
      },
    ],
    ['an expired token', () => sign(current, { ...claims, exp: now() - 10 }, { expiresIn: null })],
    ['a token not valid yet', () => sign(current, claims, { notBefore: 120 })],
    ['another issuer', () => sign(current, claims, { issuer: 'someone-else' })],
    ['no expiry', () => sign(current, claims, { expiresIn: null })],
    ['no kid', () => new JwtService().signAsync(claims, { algorithm: 'ES256', privateKey: current.privateKey, issuer: 'conveyor-auth', expiresIn: 60 })],
    ['a subject that is not a user id', () => sign(current, { ...claims, sub: 'admin' })],
    ['garbage', async () => 'not.a.token'],
  ])('refuses %s', async (_, token) => {
    expect(await verifier().verify(await token())).toBeUndefined();
  });
});
