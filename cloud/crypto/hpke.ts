// HPKE (RFC 9180) for the suite the sensor core speaks: DHKEM(X25519,
// HKDF-SHA256) (KEM 0x0020), HKDF-SHA256 (KDF 0x0001), ChaCha20-Poly1305
// (AEAD 0x0003), modes base (0) and auth (2). Devices wrap each epoch's data
// key to its readers with it (auth mode, the device's X25519 key as sender);
// the owner's retrieval library unwraps here.
//
// @noble/* only, so the same file runs in browsers. Function names follow the
// RFC (SetupBaseS -> setupBaseS, §5.1); the context objects are §5.2's
// ContextS / ContextR.
//
// Security: the AEAD, HMAC and X25519 are noble's (constant-time by design,
// within what JavaScript allows). Intermediate secrets are zeroed after use;
// JavaScript gives no guarantee that no copy survives (GC, JIT), so this is
// best effort. Keys inside a context live until the context is dropped.

import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { extract, expand } from '@noble/hashes/hkdf.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/hashes/utils.js';

/** mode_base (§5): no sender authentication. */
export const MODE_BASE = 0;
/** mode_auth (§5.1.3): the sender's static X25519 key authenticates it. */
export const MODE_AUTH = 2;
/** The suite's identifiers (§7.1-7.3). */
export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0003;
/** Nenc, Npk, Nsk of DHKEM(X25519, HKDF-SHA256) (§7.1). */
export const ENC_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
/** Nk, Nn, Nt of ChaCha20-Poly1305 (§7.3). */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Largest Export() length: 255 * Nh (§5.3, RFC 5869 §2.3). */
export const EXPORT_MAX = 255 * 32;
/**
 * Messages per context. The RFC allows 2^96 - 1; a JavaScript number counts
 * exactly to 2^53 - 1, which no context will reach. The sensor core stops at
 * 2^64 - 1.
 */
export const MESSAGE_LIMIT = Number.MAX_SAFE_INTEGER;

/** Why an HPKE operation failed. `code` is stable; messages stay generic. */
export type HpkeErrorCode =
  /** OpenError (§5.2): the ciphertext, aad, enc, info or a key is not the one sealed with. */
  | 'open'
  /** ValidationError (§7.1.4): a DH output was all zero (a public key of small order). */
  | 'dh'
  /** MessageLimitReachedError (§5.2): the context's sequence number is exhausted. */
  | 'message-limit';

/** A failed HPKE operation (RFC 9180 error names in `code`). */
export class HpkeError extends Error {
  readonly code: HpkeErrorCode;
  constructor(code: HpkeErrorCode, message: string) {
    super(message);
    this.name = 'HpkeError';
    this.code = code;
  }
}

/** An X25519 key pair. */
export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Options of the sender setups. */
export interface SenderOptions {
  /**
   * The ephemeral secret key (32 bytes). Default: fresh random bytes, which is
   * what every real use needs; a fixed value is for test vectors only, and
   * reusing one breaks confidentiality of everything sealed with it.
   */
  skE?: Uint8Array;
}

// ---- input checks (noble conventions: TypeError for a type, RangeError for a length) ----

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

// ---- labeled KDF (§4) ----

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
const i2osp2 = (n: number): Uint8Array => Uint8Array.of(n >>> 8, n & 0xff);

const EMPTY = new Uint8Array(0);
const HPKE_V1 = ascii('HPKE-v1');
/** suite_id of the KEM (§4.1) and of the rest of HPKE (§5.1). */
const KEM_SUITE = concat(ascii('KEM'), i2osp2(KEM_ID));
const HPKE_SUITE = concat(ascii('HPKE'), i2osp2(KEM_ID), i2osp2(KDF_ID), i2osp2(AEAD_ID));

function labeledExtract(suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  const labeledIkm = concat(HPKE_V1, suite, ascii(label), ikm);
  // An empty salt keys HMAC like Nh zero bytes (RFC 5869 §2.2): the same result.
  const prk = extract(sha256, labeledIkm, salt);
  labeledIkm.fill(0);
  return prk;
}

function labeledExpand(suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
  return expand(sha256, prk, concat(i2osp2(length), HPKE_V1, suite, ascii(label), info), length);
}

// ---- DHKEM(X25519, HKDF-SHA256) (§4.1, §7.1) ----

/** DeriveKeyPair(ikm) (§7.1.3). ikm must hold at least 32 bytes (Nsk) of entropy; shorter is a RangeError. */
export function deriveKeyPair(ikm: Uint8Array): KeyPair {
  bytes('ikm', ikm);
  if (ikm.length < SECRET_KEY_BYTES) throw new RangeError(`ikm: at least ${SECRET_KEY_BYTES} bytes, got ${ikm.length}`);
  const dkpPrk = labeledExtract(KEM_SUITE, EMPTY, 'dkp_prk', ikm);
  // X25519 clamps when it uses the key, so the expanded bytes are the key as is.
  const secretKey = labeledExpand(KEM_SUITE, dkpPrk, 'sk', EMPTY, SECRET_KEY_BYTES);
  dkpPrk.fill(0);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** GenerateKeyPair() (§4): a fresh random key pair. */
export function generateKeyPair(): KeyPair {
  const ikm = randomBytes(SECRET_KEY_BYTES);
  const pair = deriveKeyPair(ikm);
  ikm.fill(0);
  return pair;
}

/** The X25519 public key of a secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(exact('secretKey', secretKey, SECRET_KEY_BYTES));
}

/** DH(sk, pk); a small-order pk (all-zero result, RFC 7748 §6.1) is HpkeError 'dh'. */
function dh(sk: Uint8Array, pk: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = x25519.getSharedSecret(sk, pk);
  } catch {
    // noble refuses the small-order u values before the ladder; lengths were checked already.
    throw new HpkeError('dh', 'hpke: public key of small order');
  }
  let acc = 0;
  for (let i = 0; i < out.length; i++) acc |= out[i];
  if (acc === 0) throw new HpkeError('dh', 'hpke: public key of small order');
  return out;
}

function extractAndExpand(dhOut: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE, EMPTY, 'eae_prk', dhOut);
  const sharedSecret = labeledExpand(KEM_SUITE, eaePrk, 'shared_secret', kemContext, 32);
  eaePrk.fill(0);
  dhOut.fill(0);
  return sharedSecret;
}

/**
 * Encap(pkR) or, with `skS`, AuthEncap(pkR, skS) (§4.1): the KEM shared
 * secret and enc. Low level: use the setup functions.
 */
export function encap(pkR: Uint8Array, skS?: Uint8Array, options: SenderOptions = {}): { sharedSecret: Uint8Array; enc: Uint8Array } {
  exact('pkR', pkR, PUBLIC_KEY_BYTES);
  if (skS !== undefined) exact('skS', skS, SECRET_KEY_BYTES);
  const skE = options.skE === undefined ? randomBytes(SECRET_KEY_BYTES) : exact('skE', options.skE, SECRET_KEY_BYTES);
  try {
    const enc = x25519.getPublicKey(skE);
    if (skS === undefined) {
      return { sharedSecret: extractAndExpand(dh(skE, pkR), concat(enc, pkR)), enc };
    }
    const dhE = dh(skE, pkR);
    const dhS = dh(skS, pkR);
    const both = concat(dhE, dhS);
    dhE.fill(0);
    dhS.fill(0);
    return { sharedSecret: extractAndExpand(both, concat(enc, pkR, x25519.getPublicKey(skS))), enc };
  } finally {
    if (options.skE === undefined) skE.fill(0);
  }
}

/**
 * Decap(enc, skR) or, with `pkS`, AuthDecap(enc, skR, pkS) (§4.1): the KEM
 * shared secret. Low level: use the setup functions.
 */
export function decap(enc: Uint8Array, skR: Uint8Array, pkS?: Uint8Array): Uint8Array {
  exact('enc', enc, ENC_BYTES);
  exact('skR', skR, SECRET_KEY_BYTES);
  if (pkS !== undefined) exact('pkS', pkS, PUBLIC_KEY_BYTES);
  const pkR = x25519.getPublicKey(skR);
  if (pkS === undefined) return extractAndExpand(dh(skR, enc), concat(enc, pkR));
  const dhE = dh(skR, enc);
  const dhS = dh(skR, pkS);
  const both = concat(dhE, dhS);
  dhE.fill(0);
  dhS.fill(0);
  return extractAndExpand(both, concat(enc, pkR, pkS));
}

// ---- key schedule (§5.1) ----

/** The secrets a context holds (§5.1 KeySchedule's output). */
export interface ContextSecrets {
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

/**
 * KeySchedule (§5.1) for modes base and auth (psk and psk_id empty). Low
 * level: the setup functions call it. Does not wipe `sharedSecret`.
 */
export function keySchedule(mode: number, sharedSecret: Uint8Array, info: Uint8Array): ContextSecrets {
  if (mode !== MODE_BASE && mode !== MODE_AUTH) throw new RangeError(`mode: ${MODE_BASE} or ${MODE_AUTH}, got ${String(mode)}`);
  exact('sharedSecret', sharedSecret, 32);
  bytes('info', info);
  const context = concat(
    Uint8Array.of(mode),
    labeledExtract(HPKE_SUITE, EMPTY, 'psk_id_hash', EMPTY),
    labeledExtract(HPKE_SUITE, EMPTY, 'info_hash', info),
  );
  const secret = labeledExtract(HPKE_SUITE, sharedSecret, 'secret', EMPTY);
  const out = {
    key: labeledExpand(HPKE_SUITE, secret, 'key', context, KEY_BYTES),
    baseNonce: labeledExpand(HPKE_SUITE, secret, 'base_nonce', context, NONCE_BYTES),
    exporterSecret: labeledExpand(HPKE_SUITE, secret, 'exp', context, 32),
  };
  secret.fill(0);
  return out;
}

// ---- contexts (§5.2, §5.3) ----

abstract class Context {
  readonly #key: Uint8Array;
  readonly #baseNonce: Uint8Array;
  readonly #exporterSecret: Uint8Array;
  #seq = 0;

  constructor(secrets: ContextSecrets) {
    this.#key = secrets.key;
    this.#baseNonce = secrets.baseNonce;
    this.#exporterSecret = secrets.exporterSecret;
  }

  /** Messages sealed or opened so far (the next sequence number). */
  get seq(): number { return this.#seq; }

  /**
   * Context.Export (§5.3): `length` (0..8160) bytes bound to this context
   * and `exporterContext`. TypeError for a non-integer length.
   */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    bytes('exporterContext', exporterContext);
    if (typeof length !== 'number' || !Number.isInteger(length)) {
      throw new TypeError(`length: expected an integer, got ${describe(length)}`);
    }
    if (length < 0 || length > EXPORT_MAX) throw new RangeError(`length: 0..${EXPORT_MAX}, got ${length}`);
    return labeledExpand(HPKE_SUITE, this.#exporterSecret, 'sec', exporterContext, length);
  }

  /** Runs `aead` with the current sequence number's nonce; advances the number when it returns. */
  protected withNonce<T>(aead: (key: Uint8Array, nonce: Uint8Array) => T): T {
    const seq = this.#seq;
    if (seq >= MESSAGE_LIMIT) throw new HpkeError('message-limit', 'hpke: message limit reached');
    // ComputeNonce (§5.2): base_nonce XOR I2OSP(seq, 12); seq < 2^53 fills the last 7 bytes.
    const nonce = this.#baseNonce.slice();
    const hi = Math.floor(seq / 2 ** 32);
    const lo = seq >>> 0;
    for (let i = 0; i < 4; i++) {
      nonce[7 - i] ^= (hi >>> (8 * i)) & 0xff;
      nonce[11 - i] ^= (lo >>> (8 * i)) & 0xff;
    }
    const result = aead(this.#key, nonce);
    this.#seq = seq + 1;
    return result;
  }
}

/** ContextS (§5.2): seals messages in order, exports secrets. */
export class SenderContext extends Context {
  /** Seal (§5.2): ciphertext || 16-byte tag of `plaintext` under the next sequence number. */
  seal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    bytes('aad', aad);
    bytes('plaintext', plaintext);
    return this.withNonce((key, nonce) => chacha20poly1305(key, nonce, aad).encrypt(plaintext));
  }
}

/** ContextR (§5.2): opens messages in the order they were sealed, exports secrets. */
export class RecipientContext extends Context {
  /**
   * Open (§5.2): the plaintext of `ciphertext` (ciphertext || tag) under the
   * next sequence number. Throws HpkeError 'open' when it does not
   * authenticate; the sequence number then stays put. RangeError when shorter
   * than the tag.
   */
  open(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    bytes('aad', aad);
    bytes('ciphertext', ciphertext);
    if (ciphertext.length < TAG_BYTES) throw new RangeError(`ciphertext: at least ${TAG_BYTES} bytes, got ${ciphertext.length}`);
    return this.withNonce((key, nonce) => {
      try {
        return chacha20poly1305(key, nonce, aad).decrypt(ciphertext);
      } catch {
        throw new HpkeError('open', 'hpke: open failed');
      }
    });
  }
}

function sender(mode: number, pkR: Uint8Array, info: Uint8Array, skS: Uint8Array | undefined, options: SenderOptions) {
  bytes('info', info);
  const { sharedSecret, enc } = encap(pkR, skS, options);
  const ctx = new SenderContext(keySchedule(mode, sharedSecret, info));
  sharedSecret.fill(0);
  return { enc, ctx };
}

function recipient(mode: number, enc: Uint8Array, skR: Uint8Array, info: Uint8Array, pkS: Uint8Array | undefined) {
  bytes('info', info);
  const sharedSecret = decap(enc, skR, pkS);
  const ctx = new RecipientContext(keySchedule(mode, sharedSecret, info));
  sharedSecret.fill(0);
  return ctx;
}

/** SetupBaseS (§5.1.1): encapsulates to `pkR`; send `enc` with the ciphertexts. */
export function setupBaseS(pkR: Uint8Array, info: Uint8Array, options: SenderOptions = {}): { enc: Uint8Array; ctx: SenderContext } {
  return sender(MODE_BASE, pkR, info, undefined, options);
}

/** SetupAuthS (§5.1.3): as setupBaseS, and the recipient learns that the holder of `skS` sent it. */
export function setupAuthS(pkR: Uint8Array, info: Uint8Array, skS: Uint8Array, options: SenderOptions = {}): { enc: Uint8Array; ctx: SenderContext } {
  exact('skS', skS, SECRET_KEY_BYTES);
  return sender(MODE_AUTH, pkR, info, skS, options);
}

/** SetupBaseR (§5.1.1). */
export function setupBaseR(enc: Uint8Array, skR: Uint8Array, info: Uint8Array): RecipientContext {
  return recipient(MODE_BASE, enc, skR, info, undefined);
}

/** SetupAuthR (§5.1.3): opens only what the holder of `pkS`'s secret sealed. */
export function setupAuthR(enc: Uint8Array, skR: Uint8Array, info: Uint8Array, pkS: Uint8Array): RecipientContext {
  exact('pkS', pkS, PUBLIC_KEY_BYTES);
  return recipient(MODE_AUTH, enc, skR, info, pkS);
}

// ---- single-shot API (§6.1) ----

/** SealBase (§6.1): one message to `pkR`. */
export function sealBase(pkR: Uint8Array, info: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, options: SenderOptions = {}): { enc: Uint8Array; ct: Uint8Array } {
  const { enc, ctx } = setupBaseS(pkR, info, options);
  return { enc, ct: ctx.seal(aad, plaintext) };
}

/** OpenBase (§6.1). Throws HpkeError 'open' when it does not authenticate. */
export function openBase(enc: Uint8Array, skR: Uint8Array, info: Uint8Array, aad: Uint8Array, ct: Uint8Array): Uint8Array {
  return setupBaseR(enc, skR, info).open(aad, ct);
}

/** SealAuth (§6.1): one message to `pkR`, authenticated as the holder of `skS`. */
export function sealAuth(pkR: Uint8Array, info: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, skS: Uint8Array, options: SenderOptions = {}): { enc: Uint8Array; ct: Uint8Array } {
  const { enc, ctx } = setupAuthS(pkR, info, skS, options);
  return { enc, ct: ctx.seal(aad, plaintext) };
}

/** OpenAuth (§6.1). Throws HpkeError 'open' when it does not authenticate or `pkS` did not seal it. */
export function openAuth(enc: Uint8Array, skR: Uint8Array, info: Uint8Array, aad: Uint8Array, ct: Uint8Array, pkS: Uint8Array): Uint8Array {
  return setupAuthR(enc, skR, info, pkS).open(aad, ct);
}
