// Independent references for the cross-checks: node:crypto (OpenSSL) and raw
// @noble/* calls (not the adapted `noble` platform, so an adapter bug cannot hide
// a core bug). Only what the cross-checks need; valid inputs only.

import {
  createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, hkdfSync, sign, verify, type KeyObject,
} from 'node:crypto';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { concat } from './hex.ts';

const u8 = (b: Uint8Array | ArrayBuffer): Uint8Array => new Uint8Array(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

// PKCS#8 / SPKI prefixes for raw 32-byte keys (RFC 8410): OIDs 1.3.101.110 (X25519) and 1.3.101.112 (Ed25519).
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: 'der', type: 'pkcs8' });
}
function x25519PublicKey(u: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(u).toString('base64url') }, format: 'jwk' });
}
function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}
function ed25519PublicKey(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
}
function rawPublic(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('node:crypto: JWK without x');
  return u8(Buffer.from(jwk.x, 'base64url'));
}

/** node:crypto (OpenSSL). */
export const nodeRef = {
  name: 'node:crypto',
  sha256: (m: Uint8Array) => u8(createHash('sha256').update(m).digest()),
  sha512: (m: Uint8Array) => u8(createHash('sha512').update(m).digest()),
  hmacSha256: (k: Uint8Array, m: Uint8Array) => u8(createHmac('sha256', k).update(m).digest()),
  hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, len: number) => u8(hkdfSync('sha256', ikm, salt, info, len)),
  aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: pt.length });
    return concat(c.update(pt), c.final(), c.getAuthTag());
  },
  aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    const ct = sealed.subarray(0, sealed.length - 16);
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: ct.length });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return concat(d.update(ct), d.final());
    } catch {
      return null;
    }
  },
  /** Throws when OpenSSL refuses (it refuses an all-zero shared secret). */
  x25519: (scalar: Uint8Array, u: Uint8Array) =>
    u8(diffieHellman({ privateKey: x25519PrivateKey(scalar), publicKey: x25519PublicKey(u) })),
  x25519Base: (scalar: Uint8Array) => rawPublic(createPublicKey(x25519PrivateKey(scalar))),
  ed25519PublicKey: (seed: Uint8Array) => rawPublic(createPublicKey(ed25519PrivateKey(seed))),
  ed25519Sign: (seed: Uint8Array, m: Uint8Array) => u8(sign(null, m, ed25519PrivateKey(seed))),
  /** Public key and a signer from one imported private key (one import instead of two). */
  ed25519Keys(seed: Uint8Array): { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
    const key = ed25519PrivateKey(seed);
    return { publicKey: rawPublic(createPublicKey(key)), sign: (m) => u8(sign(null, m, key)) };
  },
  ed25519Verify(pub: Uint8Array, m: Uint8Array, sig: Uint8Array): boolean {
    let key: KeyObject;
    try {
      key = ed25519PublicKey(pub);
    } catch {
      return false; // OpenSSL refuses to import some encodings: not a valid key
    }
    return verify(null, m, key, sig);
  },
};

/** Raw @noble/* v2 calls. */
export const nobleRef = {
  name: '@noble',
  sha256: (m: Uint8Array) => sha256(m),
  sha512: (m: Uint8Array) => sha512(m),
  hmacSha256: (k: Uint8Array, m: Uint8Array) => hmac(sha256, k, m),
  hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, len: number) => hkdf(sha256, ikm, salt, info, len),
  aeadSeal: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array) => chacha20poly1305(key, nonce, aad).encrypt(pt),
  aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return null;
    }
  },
  /** Throws for the low-order u values. */
  x25519: (scalar: Uint8Array, u: Uint8Array) => x25519.scalarMult(scalar, u),
  x25519Base: (scalar: Uint8Array) => x25519.scalarMultBase(scalar),
  ed25519PublicKey: (seed: Uint8Array) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed: Uint8Array, m: Uint8Array) => ed25519.sign(m, seed),
  /** RFC 8032 strict (zip215: false). */
  ed25519Verify: (pub: Uint8Array, m: Uint8Array, sig: Uint8Array) => ed25519.verify(sig, m, pub, { zip215: false }),
  /** Throws for an encoding that does not decode to a point (strict: y < p). */
  toMontgomery: (pub: Uint8Array) => ed25519.utils.toMontgomery(pub),
  toMontgomerySecret: (seed: Uint8Array) => ed25519.utils.toMontgomerySecret(seed),
};
