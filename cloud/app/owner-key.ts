// The owner's identity on the owner's machine: an Ed25519 seed in a 0600 JSON
// file (never sent anywhere), and the short-lived API tokens signed with it
// (docs/api.md: EdDSA JWT, iss = the owner's did:key, aud "sealink-relay",
// exp - iat <= 300 s).

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { identityFromSeed, type Identity } from '../keys/did.ts';
import { KeyFileError } from './keys.ts';

export const API_AUDIENCE = 'sealink-relay';
/** Longest token lifetime the relay accepts, s. */
export const TOKEN_MAX_LIFETIME_SEC = 300;

/** Default owner key file: $SEALINK_OWNER_KEY, else ~/.config/sealink/owner.json. */
export function defaultOwnerKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEALINK_OWNER_KEY ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'sealink', 'owner.json');
}

/** Create a new owner key at `path` (fails if it exists). Returns the identity (SECRET: seed). */
export function createOwnerKey(path: string): Identity {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const seed = new Uint8Array(randomBytes(32));
  const id = identityFromSeed(seed);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ did: id.did, seed: Buffer.from(seed).toString('base64url') }, null, 2)}\n`);
  } finally {
    closeSync(fd);
    seed.fill(0);
  }
  return id;
}

/** Load the owner key at `path`; refuses a file others can read or whose DID does not match its seed. */
export function loadOwnerKey(path: string): Identity {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new KeyFileError('KEY_FILE_PERMISSIONS', path, `${path}: mode ${mode.toString(8)} lets others read a secret; run chmod 600 ${path}`);
  let j: { did?: unknown; seed?: unknown };
  try { j = JSON.parse(readFileSync(path, 'utf8')); } catch { throw new KeyFileError('KEY_FILE_MALFORMED', path, `${path}: not JSON`); }
  const seed = typeof j.seed === 'string' ? new Uint8Array(Buffer.from(j.seed, 'base64url')) : new Uint8Array(0);
  if (seed.length !== 32) throw new KeyFileError('KEY_FILE_MALFORMED', path, `${path}: seed must be 32 bytes base64url`);
  const id = identityFromSeed(seed);
  seed.fill(0);
  if (j.did !== id.did) throw new KeyFileError('KEY_FILE_MALFORMED', path, `${path}: did does not match the seed`);
  return id;
}

export interface TokenOptions {
  audience?: string;
  /** Lifetime, s (default 120). */
  lifetimeSec?: number;
  /** Seconds since the epoch (default now). */
  now?: number;
}

/** A bearer token for the relay API signed by `identity`. */
export async function signApiToken(identity: Identity, opts: TokenOptions = {}): Promise<string> {
  const key = await importJWK({
    kty: 'OKP', crv: 'Ed25519',
    x: Buffer.from(identity.ed25519PublicKey).toString('base64url'),
    d: Buffer.from(identity.seed).toString('base64url'),
  }, 'EdDSA');
  const iat = opts.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(identity.did)
    .setAudience(opts.audience ?? API_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.lifetimeSec ?? 120))
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key);
}
