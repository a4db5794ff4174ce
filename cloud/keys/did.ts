// Identities (protocol §1): an Ed25519 key named by a W3C did:key (multicodec
// 0xed01, base58btc, "z6Mk..."), and the X25519 key did:key derives from it:
// public u = (1 + y) / (1 - y) mod p; secret = SHA-512(seed)[0:32] (clamped by X25519).

import { ed25519 } from '@noble/curves/ed25519.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ED25519_PUB_MULTICODEC = [0xed, 0x01];

/** base58btc (Bitcoin alphabet). VARIABLE TIME: public keys only. */
export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  return '1'.repeat(zeros) + out;
}

/** Inverse of base58Encode; throws on a character outside the alphabet. */
export function base58Decode(s: string): Uint8Array {
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  let n = 0n;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new TypeError('base58: bad character');
    n = n * 58n + BigInt(v);
  }
  const body: number[] = [];
  while (n > 0n) { body.unshift(Number(n & 0xffn)); n >>= 8n; }
  return Uint8Array.from([...new Array(zeros).fill(0), ...body]);
}

/** did:key of an Ed25519 public key. */
export function didFromEd25519(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError('ed25519 public key: expected 32 bytes');
  return `did:key:z${base58Encode(Uint8Array.from([...ED25519_PUB_MULTICODEC, ...publicKey]))}`;
}

/** Ed25519 public key of a did:key; throws TypeError for another method or key type. */
export function ed25519FromDid(did: string): Uint8Array {
  if (!did.startsWith('did:key:z')) throw new TypeError('not a base58btc did:key');
  const raw = base58Decode(did.slice('did:key:z'.length));
  if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new TypeError('did:key is not an Ed25519 key');
  return raw.slice(2);
}

/** X25519 public key of an Ed25519 public key (birational map; throws for an invalid point). */
export function x25519FromEd25519(publicKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomery(publicKey);
}

/** X25519 public key of a did:key. */
export function x25519FromDid(did: string): Uint8Array {
  return x25519FromEd25519(ed25519FromDid(did));
}

/** A party's keys from its 32-byte Ed25519 seed. SECRET fields: seed, x25519Secret. */
export interface Identity {
  seed: Uint8Array;
  ed25519PublicKey: Uint8Array;
  did: string;
  x25519Secret: Uint8Array;
  x25519PublicKey: Uint8Array;
}

/** Identity of an Ed25519 seed (the device's first-boot random, a relay network key...). */
export function identityFromSeed(seed: Uint8Array): Identity {
  if (seed.length !== 32) throw new RangeError('seed: expected 32 bytes');
  const ed25519PublicKey = ed25519.getPublicKey(seed);
  return {
    seed: seed.slice(),
    ed25519PublicKey,
    did: didFromEd25519(ed25519PublicKey),
    x25519Secret: ed25519.utils.toMontgomerySecret(seed),
    x25519PublicKey: x25519FromEd25519(ed25519PublicKey),
  };
}
