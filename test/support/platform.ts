// The PLATFORM abstraction: the same suites run against every implementation of
// the core's crypto API.
//
//   core   the real sensor core (WASM) through its Node binding, hal/node/core.ts
//   noble  @noble/hashes, @noble/ciphers, @noble/curves (v2), adapted to the
//          core's contract (adaptations listed at `noble` below)
//
// A platform is exactly the core's API (the 13 functions of `Core`) plus a name.

import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { loadCore, CoreError, SIZES, type Core } from '../../hal/node/core.ts';

/** The crypto functions of the core's API, nothing else. */
export type CryptoApi = Pick<Core,
  | 'sha256' | 'sha512' | 'hmacSha256' | 'hkdfSha256' | 'aeadSeal' | 'aeadOpen' | 'x25519' | 'x25519Base'
  | 'ed25519PublicKey' | 'ed25519Sign' | 'ed25519Verify' | 'ed25519ToX25519Public' | 'ed25519ToX25519Secret'>;

/** An implementation of the API under test. */
export interface Platform extends CryptoApi {
  readonly name: string;
}

/** Names of the functions of CryptoApi (for wrappers and the binding test). */
export const API_FUNCTIONS = [
  'sha256', 'sha512', 'hmacSha256', 'hkdfSha256', 'aeadSeal', 'aeadOpen', 'x25519', 'x25519Base',
  'ed25519PublicKey', 'ed25519Sign', 'ed25519Verify', 'ed25519ToX25519Public', 'ed25519ToX25519Secret',
] as const satisfies readonly (keyof CryptoApi)[];

/** Size of the core's exchange buffer: the one-shot input limit every platform follows (test/binding.test.ts checks the core's). */
export const EXCHANGE_BYTES = 8192;

// ---- the contract's argument checks, mirrored from hal/node/core.ts ----

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected Uint8Array, got ${describe(value)}`);
  return value;
}
function exact(name: string, value: unknown, length: number): Uint8Array {
  const b = bytes(name, value);
  if (b.length !== length) throw new RangeError(`${name}: expected ${length} bytes, got ${b.length}`);
  return b;
}
function fits(what: string, total: number): void {
  if (total > EXCHANGE_BYTES) throw new RangeError(`${what}: inputs and output total ${total} bytes; the exchange buffer holds ${EXCHANGE_BYTES}`);
}
/** A plain, unshared Uint8Array (noble may return subarray views of larger buffers). */
function own(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/**
 * @noble/* behind the core's contract. Adaptations (each one a place where noble's
 * own behaviour differs from hal/node/core.ts):
 *  1. Argument checks: TypeError for a non-Uint8Array, RangeError for a wrong fixed length,
 *     RangeError when a one-shot call's inputs plus output exceed the 8192-byte exchange
 *     buffer (same formulas as the binding). noble's own errors are plain Errors, and it
 *     has no size limit.
 *  2. x25519: noble rejects the five low-order u values (mod p, top bit masked) BEFORE the
 *     ladder with a plain Error; the core computes and reports an all-zero result as
 *     CoreError LOW_ORDER. For clamped scalars (a multiple of 8, below the group order) the
 *     result is zero exactly for those u, so mapping noble's error to LOW_ORDER gives the
 *     same contract (RFC 7748 §6.1).
 *  3. ed25519Verify: `{ zip215: false }` (RFC 8032 / FIPS 186-5 strict: canonical A and R
 *     encodings, S < L); noble's default is ZIP-215, which accepts non-canonical encodings.
 *     Strict mode also refuses small-order public keys, which RFC 8032 does not demand:
 *     only Wycheproof pins the core's behaviour there.
 *  4. aeadOpen: noble throws on a tag mismatch; the contract returns null.
 *  5. hkdfSha256: length must be an integer (TypeError) in 0..8160 (RangeError); noble's
 *     errors are plain Errors.
 *  6. ed25519ToX25519Public: decodes strictly (y < p, x recoverable; noble's
 *     Point.fromBytes default) and maps any decoding error to CoreError INVALID_POINT.
 *  7. Outputs are copied into their own buffers (toMontgomerySecret returns a view).
 */
export const noble: Platform = {
  name: 'noble',
  sha256(message) {
    return own(sha256(bytes('message', message)));
  },
  sha512(message) {
    return own(sha512(bytes('message', message)));
  },
  hmacSha256(key, message) {
    bytes('key', key);
    bytes('message', message);
    return own(hmac(sha256, key, message));
  },
  hkdfSha256(ikm, salt, info, length) {
    bytes('ikm', ikm);
    bytes('salt', salt);
    bytes('info', info);
    if (!Number.isInteger(length)) throw new TypeError(`length: expected an integer, got ${describe(length)}`);
    if (length < 0 || length > SIZES.HKDF_MAX) throw new RangeError(`length: HKDF-SHA256 output is 0..${SIZES.HKDF_MAX} bytes, got ${length}`);
    fits('hkdfSha256', info.length + Math.max(salt.length + ikm.length, length)); // output may overwrite salt and ikm
    return own(hkdf(sha256, ikm, salt, info, length));
  },
  aeadSeal(key, nonce, aad, plaintext) {
    exact('key', key, SIZES.KEY);
    exact('nonce', nonce, SIZES.NONCE);
    bytes('aad', aad);
    bytes('plaintext', plaintext);
    fits('aeadSeal', 32 + 12 + aad.length + plaintext.length + 16);
    return own(chacha20poly1305(key, nonce, aad).encrypt(plaintext));
  },
  aeadOpen(key, nonce, aad, ciphertextAndTag) {
    exact('key', key, SIZES.KEY);
    exact('nonce', nonce, SIZES.NONCE);
    bytes('aad', aad);
    bytes('ciphertextAndTag', ciphertextAndTag);
    if (ciphertextAndTag.length < SIZES.TAG) throw new RangeError(`ciphertextAndTag: at least ${SIZES.TAG} bytes, got ${ciphertextAndTag.length}`);
    fits('aeadOpen', 32 + 12 + aad.length + ciphertextAndTag.length);
    try {
      return own(chacha20poly1305(key, nonce, aad).decrypt(ciphertextAndTag));
    } catch {
      return null; // adaptation 4
    }
  },
  x25519(scalar, u) {
    exact('scalar', scalar, SIZES.SCALAR);
    exact('u', u, SIZES.POINT);
    try {
      return own(x25519.scalarMult(scalar, u));
    } catch (e) {
      // adaptation 2: arguments were checked above, so the only error left is the low-order refusal
      throw new CoreError('LOW_ORDER', `x25519: the peer public key has small order (noble: ${(e as Error).message})`);
    }
  },
  x25519Base(scalar) {
    return own(x25519.scalarMultBase(exact('scalar', scalar, SIZES.SCALAR)));
  },
  ed25519PublicKey(seed) {
    return own(ed25519.getPublicKey(exact('seed', seed, SIZES.SEED)));
  },
  ed25519Sign(seed, message) {
    exact('seed', seed, SIZES.SEED);
    bytes('message', message);
    fits('ed25519Sign', 32 + 64 + message.length);
    return own(ed25519.sign(message, seed));
  },
  ed25519Verify(publicKey, message, signature) {
    exact('publicKey', publicKey, SIZES.POINT);
    bytes('message', message);
    exact('signature', signature, SIZES.SIGNATURE);
    fits('ed25519Verify', 32 + 64 + message.length);
    return ed25519.verify(signature, message, publicKey, { zip215: false }); // adaptation 3
  },
  ed25519ToX25519Public(publicKey) {
    exact('publicKey', publicKey, SIZES.POINT);
    try {
      return own(ed25519.utils.toMontgomery(publicKey));
    } catch (e) {
      throw new CoreError('INVALID_POINT', `ed25519ToX25519Public: not a valid Ed25519 point (noble: ${(e as Error).message})`);
    }
  },
  ed25519ToX25519Secret(seed) {
    return own(ed25519.utils.toMontgomerySecret(exact('seed', seed, SIZES.SEED)));
  },
};

/** The real core as a platform (only the API functions, so tests cannot lean on extras). */
export function corePlatform(core: Core): Platform {
  const p: Record<string, unknown> = { name: 'core' };
  for (const f of API_FUNCTIONS) p[f] = core[f];
  return p as unknown as Platform;
}

let coreLoad: Promise<Core> | undefined;
/** The process-wide core instance (loaded once). */
export function sharedCore(): Promise<Core> {
  coreLoad ??= loadCore();
  return coreLoad;
}

/** Names of the platforms every vector suite runs against. */
export const PLATFORM_NAMES = ['core', 'noble'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** The platform called `name` (the core is loaded on first use; a load failure fails that platform's tests only). */
export async function platform(name: PlatformName): Promise<Platform> {
  return name === 'core' ? corePlatform(await sharedCore()) : noble;
}

/** A platform whose listed functions are replaced (for the harness's deliberately broken implementations). */
export function override(base: Platform, name: string, replace: Partial<CryptoApi>): Platform {
  return { ...base, ...replace, name };
}
