// Encryption at rest for the relay's database.
//
// From the 32-byte storage key, HKDF-SHA256 derives two independent subkeys:
//   index  "sealink/1 store index"  keys blind indexes: HMAC-SHA256(index, label || 0 || value),
//          truncated to INDEX_BYTES, stored instead of a lookup value (DID, static key,
//          claim id, stream) so equality lookups work without the value being stored;
//   seal   "sealink/1 store seal"   keys ChaCha20-Poly1305 (node:crypto) for every stored
//          value that could reveal something. Sealed value = nonce(12) || ciphertext || tag(16).
//          AAD = "sealink/1 store " || table.column || 0 || row key bytes, so a sealed value
//          moved to another row, column or table fails to open.
//
// Nonces are random (96 bits, from a CSPRNG pool refilled 4 KiB at a time). The
// collision bound (~2^32 seals per key for a 2^-33 chance) is far above the
// registry's write count; readings are the only high-volume use, and their
// plaintext is already end-to-end ciphertext, so a collision there would expose
// nothing of a reading (it would weaken only the at-rest integrity of the two
// rows concerned, which the reader's end-to-end open checks anyway).
//
// Key check: the store keeps one sealed canary; opening it with another key
// fails, which the store reports as STORE_KEY_MISMATCH before it changes anything.

import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomFillSync, type KeyObject } from 'node:crypto';
import { StoreError } from './types.ts';

export const STORE_KEY_BYTES = 32;
export const INDEX_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes a sealed value adds to its plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

const INFO_INDEX = 'sealink/1 store index';
const INFO_SEAL = 'sealink/1 store seal';
const AAD_PREFIX = 'sealink/1 store ';
const POOL_BYTES = 4096 - (4096 % NONCE_BYTES);

/** Blind-index labels: one per kind of looked-up value. */
export type IndexLabel = 'owner' | 'claim' | 'device' | 'static' | 'stream' | 'feed' | 'reader';

/** Seals and indexes with keys derived from one storage key. Call wipe() when done. */
export class AtRest {
  private readonly indexKey: Buffer;
  private sealKey: KeyObject;
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private poolAt = POOL_BYTES;
  private readonly prefixes = new Map<string, Buffer>();

  constructor(storageKey: Uint8Array) {
    if (!(storageKey instanceof Uint8Array)) throw new TypeError('storage key: expected Uint8Array');
    if (storageKey.length !== STORE_KEY_BYTES) throw new RangeError(`storage key: expected ${STORE_KEY_BYTES} bytes, got ${storageKey.length}`);
    const salt = Buffer.alloc(0);
    this.indexKey = Buffer.from(hkdfSync('sha256', storageKey, salt, INFO_INDEX, 32));
    const seal = Buffer.from(hkdfSync('sha256', storageKey, salt, INFO_SEAL, 32));
    this.sealKey = createSecretKey(seal);
    seal.fill(0);
  }

  /** Blind index of `parts` (strings as UTF-8, each but the last length-prefixed). */
  index(label: IndexLabel, ...parts: (string | Uint8Array)[]): Buffer {
    const h = createHmac('sha256', this.indexKey);
    h.update(label);
    h.update(ZERO);
    for (let i = 0; i < parts.length; i++) {
      const p = typeof parts[i] === 'string' ? Buffer.from(parts[i] as string, 'utf8') : (parts[i] as Uint8Array);
      if (i < parts.length - 1) h.update(u32be(p.length));
      h.update(p);
    }
    return h.digest().subarray(0, INDEX_BYTES);
  }

  /** AAD for `column` ("table.column") of the row whose key is `rowKey`. */
  aad(column: string, ...rowKey: Uint8Array[]): Buffer {
    let prefix = this.prefixes.get(column);
    if (prefix === undefined) {
      prefix = Buffer.concat([Buffer.from(AAD_PREFIX + column, 'utf8'), ZERO]);
      this.prefixes.set(column, prefix);
    }
    return Buffer.concat([prefix, ...rowKey]);
  }

  seal(aad: Uint8Array, plaintext: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
    const nonce = out.subarray(0, NONCE_BYTES);
    this.nonce(nonce);
    const c = createCipheriv('chacha20-poly1305', this.sealKey, nonce, { authTagLength: TAG_BYTES });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const n = c.update(plaintext).copy(out, NONCE_BYTES);
    c.final();
    c.getAuthTag().copy(out, NONCE_BYTES + n);
    return out;
  }

  /** The plaintext of `sealed`; throws StoreError STORE_CORRUPT when it does not authenticate under `aad`. */
  open(aad: Uint8Array, sealed: Uint8Array, what: string): Buffer {
    if (!(sealed instanceof Uint8Array) || sealed.length < SEAL_OVERHEAD) throw corrupt(what);
    const ctLen = sealed.length - SEAL_OVERHEAD;
    const d = createDecipheriv('chacha20-poly1305', this.sealKey, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    d.setAAD(aad, { plaintextLength: ctLen });
    d.setAuthTag(sealed.subarray(NONCE_BYTES + ctLen));
    const pt = d.update(sealed.subarray(NONCE_BYTES, NONCE_BYTES + ctLen));
    try {
      d.final();
    } catch {
      pt.fill(0);
      throw corrupt(what);
    }
    return pt;
  }

  /** Forget the keys (the KeyObject's copy is released to the GC; Node offers no wipe for it). */
  wipe(): void {
    this.indexKey.fill(0);
    this.pool.fill(0);
    this.sealKey = createSecretKey(Buffer.alloc(32));
  }

  private nonce(into: Buffer): void {
    if (this.poolAt + NONCE_BYTES > POOL_BYTES) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(into, 0, this.poolAt, this.poolAt + NONCE_BYTES);
    this.poolAt += NONCE_BYTES;
  }
}

const ZERO = Buffer.alloc(1);

export function u32be(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** 8-byte big-endian encoding of an integer 0..2^53-1 (row keys in AADs). */
export function u64be(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeU64be(b, 0, n);
  return b;
}

/** Write `n` (0..2^53-1) big-endian into b[at..at+8). */
export function writeU64be(b: Buffer, at: number, n: number): void {
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at);
  b.writeUInt32BE(n >>> 0, at + 4);
}

function corrupt(what: string): StoreError {
  return new StoreError('STORE_CORRUPT', `stored ${what} failed authentication (tampered, corrupt or moved)`);
}
