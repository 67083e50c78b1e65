import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUuid } from '@conveyor/contracts';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_ISSUER, AccessTokenKeys } from './access-token-keys';

/** Who is calling, as proven by the access token. */
export interface Principal {
  userId: string;
  email: string;
  roles: string[];
  /** The login session (refresh-token family) the token was issued in, when auth says so. */
  sessionId?: string;
}

/**
 * Checks an access token locally: ES256 only, signed by the key its `kid` names, issued by
 * auth, within its validity window (`exp` required, `nbf` honoured), with the claims we rely on.
 * `alg: none`, an HMAC signed with a public key, an unknown `kid` and a missing `exp` all fail.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly jwt = new JwtService();

  constructor(private readonly keys: AccessTokenKeys) {}

  async verify(token: string): Promise<Principal | undefined> {
    const header = decodeHeader(token);
    if (header?.alg !== ACCESS_TOKEN_ALGORITHM || typeof header.kid !== 'string') return undefined;
    const publicKey = await this.keys.find(header.kid);
    if (!publicKey) return undefined;
    const claims: unknown = await this.jwt
      .verifyAsync(token, { publicKey, algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: ACCESS_TOKEN_ISSUER })
      .catch(() => undefined);
    return toPrincipal(claims);
  }
}

function decodeHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  const [encoded] = token.split('.');
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

/** A correctly signed token must still carry the claims we rely on, in the right shape. */
function toPrincipal(claims: unknown): Principal | undefined {
  const { sub, email, exp, sid, roles = [] } = (claims ?? {}) as Record<string, unknown>;
  if (typeof sub !== 'string' || !isUuid(sub) || typeof email !== 'string') return undefined;
  // The verifier checks `exp` only when present; a token that never expires is refused.
  if (typeof exp !== 'number') return undefined;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return undefined;
  return { userId: sub, email, roles, ...(typeof sid === 'string' && { sessionId: sid }) };
}
