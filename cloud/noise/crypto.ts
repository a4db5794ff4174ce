// The Noise cipher suite 25519 / ChaChaPoly / SHA256 (Noise rev. 34 §4, §12.1,
// §12.3, §12.5) on node:crypto, which is measured faster than @noble on every
// hot call here (X25519 with cached KeyObjects, ChaCha20-Poly1305, HMAC); the
// results are byte-identical (test/noise-crypto.test.ts checks them against
// @noble and the Wycheproof X25519 / ChaCha20-Poly1305 vectors).
//
// Keys: a KeyPair keeps node's private KeyObject so DH never re-imports the
// secret. KeyObjects cannot be wiped from JS; they are dropped and left to GC.

import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, generateKeyPairSync, timingSafeEqual, type KeyObject,
} from 'node:crypto';

/** Noise DHLEN for 25519 (§12.1). */
export const DHLEN = 32;
/** Noise HASHLEN for SHA256 (§12.5). */
export const HASHLEN = 32;
/** Cipher key length (§5.1). */
export const KEYLEN = 32;
/** Poly1305 tag length (§5.1: "16 bytes of authentication data"). */
export const TAGLEN = 16;
/** Largest Noise message (§3). */
export const MAX_NOISE_MESSAGE = 65535;

/** A failure inside Noise processing; `code` is stable, the message generic. */
export class NoiseError extends Error {
  constructor(readonly code: 'decrypt' | 'dh' | 'length' | 'state' | 'nonce', message?: string) {
    super(message ?? `noise: ${code}`);
    this.name = 'NoiseError';
  }
}

/** An X25519 key pair. `privateKey` is node's handle for the secret (never exported again). */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

// PKCS#8 and SPKI DER prefixes for X25519 (RFC 8410 §7, §4).
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function expectBytes(value: Uint8Array, length: number, what: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
  if (value.length !== length) throw new RangeError(`${what}: expected ${length} bytes, got ${value.length}`);
}

/** Fresh random key pair (Noise GENERATE_KEYPAIR, §4.1). */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  return { privateKey, publicKey: new Uint8Array(Buffer.from(x, 'base64url')) };
}

/**
 * Key pair of a 32-byte X25519 secret (clamped by X25519 itself, RFC 7748 §5).
 * Slow (~0.5 ms): for static keys and test ephemerals, not per handshake.
 */
export function keyPairFromSecret(secret: Uint8Array): KeyPair {
  expectBytes(secret, DHLEN, 'keyPairFromSecret');
  const der = Buffer.concat([PKCS8_X25519, secret]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string }).x;
  return { privateKey, publicKey: new Uint8Array(Buffer.from(x, 'base64url')) };
}

/** node KeyObject for a raw X25519 public key (JWK import: the cheapest form). */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  expectBytes(publicKey, DHLEN, 'public key');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(publicKey) }, format: 'jwk' });
}

/**
 * DH(key_pair, public_key) (§4.1, RFC 7748 §5). The all-zero output of a
 * low-order public key fails (RFC 7748 §6.1: OpenSSL refuses it; we map that
 * to NoiseError('dh')).
 */
export function dh(keyPair: KeyPair, publicKey: Uint8Array | KeyObject): Uint8Array {
  const pub = publicKey instanceof Uint8Array ? publicKeyObject(publicKey) : publicKey;
  let out: Buffer;
  try {
    out = diffieHellman({ privateKey: keyPair.privateKey, publicKey: pub });
  } catch {
    throw new NoiseError('dh', 'noise: DH failed (low-order public key)');
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The ChaChaPoly nonce: 32 bits of zeros then little-endian 64-bit n (§12.3). */
function nonce(n: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32LE(n >>> 0, 4);
  iv.writeUInt32LE(Math.floor(n / 0x1_0000_0000), 8);
  return iv;
}

/** ChaCha20-Poly1305 seal (RFC 8439) under a raw 12-byte nonce: ciphertext || tag. */
export function aeadSeal(k: Uint8Array, iv: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', k, iv, { authTagLength: TAGLEN });
  if (ad.length > 0) c.setAAD(ad, { plaintextLength: plaintext.length });
  const out = new Uint8Array(plaintext.length + TAGLEN);
  out.set(c.update(plaintext), 0);
  c.final();
  out.set(c.getAuthTag(), plaintext.length);
  return out;
}

/** ChaCha20-Poly1305 open under a raw 12-byte nonce: the plaintext, or null when authentication fails. */
export function aeadOpen(k: Uint8Array, iv: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  if (ciphertext.length < TAGLEN) return null;
  const len = ciphertext.length - TAGLEN;
  const d = createDecipheriv('chacha20-poly1305', k, iv, { authTagLength: TAGLEN });
  d.setAuthTag(ciphertext.subarray(len));
  if (ad.length > 0) d.setAAD(ad, { plaintextLength: len });
  const body = d.update(ciphertext.subarray(0, len));
  try {
    d.final();
  } catch {
    body.fill(0);
    return null;
  }
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** ENCRYPT(k, n, ad, plaintext) (§4.2, §12.3): ciphertext || 16-byte tag. n < 2^53. */
export function encrypt(k: Uint8Array, n: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return aeadSeal(k, nonce(n), ad, plaintext);
}

/** DECRYPT(k, n, ad, ciphertext) (§4.2, §12.3): the plaintext, or null when authentication fails. */
export function decrypt(k: Uint8Array, n: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  return aeadOpen(k, nonce(n), ad, ciphertext);
}

/** HASH(a || b || ...) with SHA-256 (§4.3). */
export function hash(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** HMAC-SHA256(key, a || b || ...) (RFC 2104). */
export function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const ONE = new Uint8Array([1]);

/** Noise HKDF(chaining_key, ikm, 2) (§4.3): two 32-byte outputs. */
export function hkdf2(chainingKey: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmac(chainingKey, ikm);
  const o1 = hmac(temp, ONE);
  const o2 = hmac(temp, o1, new Uint8Array([2]));
  temp.fill(0);
  return [o1, o2];
}

/** Noise HKDF(chaining_key, ikm, 3) (§4.3): three 32-byte outputs. */
export function hkdf3(chainingKey: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const temp = hmac(chainingKey, ikm);
  const o1 = hmac(temp, ONE);
  const o2 = hmac(temp, o1, new Uint8Array([2]));
  const o3 = hmac(temp, o2, new Uint8Array([3]));
  temp.fill(0);
  return [o1, o2, o3];
}

/** Constant-time equality of two byte strings of public length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const MAX_NONCE_IV = Buffer.from('00000000ffffffffffffffff', 'hex');

/**
 * REKEY(k) (§4.2): the first 32 bytes of ENCRYPT(k, 2^64 - 1, zerolen, zeros)
 * (the nonce 2^64 - 1 is reserved for this and does not fit `encrypt`'s n).
 */
export function rekeyKey(k: Uint8Array): Uint8Array {
  return aeadSeal(k, MAX_NONCE_IV, new Uint8Array(0), new Uint8Array(KEYLEN)).slice(0, KEYLEN);
}
