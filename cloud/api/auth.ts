// Bearer tokens (docs/api.md): an EdDSA JWT signed by the caller's did:key,
// iss = that DID, aud "sealink-relay", iat and exp in seconds with
// exp - iat <= 300. The key comes from the DID itself; whether the DID may do
// anything is the caller's (api/server.ts) business. Every failure is a 401
// without detail; the reason goes to the log.

import { decodeJwt, importJWK, jwtVerify, type KeyLike } from 'jose';
import { ed25519FromDid } from '../keys/did.ts';
import { ApiError } from './errors.ts';

export const AUDIENCE = 'sealink-relay';
export const MAX_TOKEN_LIFETIME_SEC = 300;
/** Clock skew allowed between the caller and the relay, s. */
export const CLOCK_TOLERANCE_SEC = 30;
const KEY_CACHE_MAX = 4096;

export interface VerifiedToken {
  /** The caller's did:key. */
  did: string;
  /** Expiry, ms. */
  expiresAt: number;
}

/** Verifies bearer tokens; caches imported keys per DID. */
export class TokenVerifier {
  private readonly keys = new Map<string, KeyLike | Uint8Array>();
  constructor(private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000)) {}

  /** The verified caller of `token`, or ApiError UNAUTHORIZED. */
  async verify(token: string): Promise<VerifiedToken> {
    const deny = (why: string): never => { throw new ApiError('UNAUTHORIZED', 'unauthorized', why); };
    let iss: unknown;
    try { iss = decodeJwt(token).iss; } catch { return deny('malformed token'); }
    if (typeof iss !== 'string') return deny('no iss');
    const key = await this.key(iss).catch(() => deny('iss is not an Ed25519 did:key'));
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'], audience: AUDIENCE, issuer: iss, requiredClaims: ['iss', 'aud', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SEC, maxTokenAge: MAX_TOKEN_LIFETIME_SEC + CLOCK_TOLERANCE_SEC,
        currentDate: new Date(this.nowSec() * 1000),
      }));
    } catch (e) {
      return deny(`jwt: ${(e as { code?: string }).code ?? String(e)}`);
    }
    const { iat, exp } = payload as { iat: number; exp: number };
    if (exp - iat > MAX_TOKEN_LIFETIME_SEC) return deny('token lifetime above 300 s');
    if (iat > this.nowSec() + CLOCK_TOLERANCE_SEC) return deny('iat in the future');
    return { did: iss, expiresAt: exp * 1000 };
  }

  private async key(did: string): Promise<KeyLike | Uint8Array> {
    const cached = this.keys.get(did);
    if (cached !== undefined) return cached;
    const pub = ed25519FromDid(did);
    const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, 'EdDSA');
    if (this.keys.size >= KEY_CACHE_MAX) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(did, key);
    return key;
  }
}

/** The token of an `Authorization: Bearer` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
  return m === null ? undefined : m[1];
}
