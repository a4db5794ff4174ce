// HPKE (RFC 9180) for one suite: DHKEM(X25519, HKDF-SHA256) (KEM 0x0020),
// HKDF-SHA256 (KDF 0x0001), ChaCha20-Poly1305 (AEAD 0x0003), modes base (0)
// and auth (2). The device wraps each epoch's data key to its readers with it.
//
// No allocation: labeled inputs are fed to HMAC piece by piece (HKDF-Extract is
// HMAC(salt, ikm) and HKDF-Expand HMAC(prk, T | info | i), RFC 5869 §2.2-2.3),
// so "HPKE-v1" || suite_id || label || ikm is never concatenated in memory and
// the exporter context needs no size limit. The suite_ids and labels are
// static data. Shared secrets, PRKs and DH outputs live in one static block
// wiped before every setup returns; the ephemeral secret is wiped by its setup.
// Static scratch makes these functions non-reentrant (as every primitive here);
// contexts live in caller memory, so any number of them can coexist. The
// caller wipes a context (HPKE_CTX_BYTES) when it is done with it.
//
// Constant time: secrets pass only through X25519, HMAC and the AEAD. The
// branches here test public facts: the mode, the sequence number, the
// context's role, whether a DH output was all zero (decided by the public key
// alone: RFC 7748 §6.1) and whether a ciphertext authenticated.

import { STATUS_OK, STATUS_RANGE, STATUS_INVALID } from "../status";
import { wipe } from "./ct";
import { HMAC_SHA256_CTX_BYTES, hmacSha256Init, hmacSha256Update, hmacSha256Final } from "./hmac";
import { AEAD_TAG_BYTES, aeadSeal, aeadOpen } from "./aead";
import { x25519, x25519Base } from "./x25519";

/** mode_base (RFC 9180 §5): no sender authentication. */
export const HPKE_MODE_BASE: u32 = 0;
/** mode_auth (§5.1.3): the sender's static X25519 key authenticates it. */
export const HPKE_MODE_AUTH: u32 = 2;
/** Nenc: the encapsulated key is the ephemeral X25519 public key. */
export const HPKE_ENC_BYTES: usize = 32;
/** Npk and Nsk of DHKEM(X25519, HKDF-SHA256). */
export const HPKE_KEY_BYTES: usize = 32;
/** Nsecret: the KEM shared secret. */
export const HPKE_SECRET_BYTES: usize = 32;
/** Nt: ciphertexts are the plaintext's length plus this tag. */
export const HPKE_TAG_BYTES: usize = AEAD_TAG_BYTES;
/** Largest Export() length: 255 * Nh (§5.3, RFC 5869 §2.3). */
export const HPKE_EXPORT_MAX: usize = 255 * 32;

// Context roles (§5.2: ContextS seals, ContextR opens, both export); role 0
// (a zeroed or failed context) can do nothing, so a context whose setup failed
// cannot seal under an all-zero key even if the caller ignores the status.
/** Role of a context made by hpkeSetupSender: seals and exports. */
export const HPKE_ROLE_SENDER: u32 = 1;
/** Role of a context made by hpkeSetupReceiver: opens and exports. */
export const HPKE_ROLE_RECEIVER: u32 = 2;

// Context layout. `role` is public; the sequence number too.
/** Offset of the AEAD key (Nk = 32) in a context. */
export const HPKE_CTX_KEY: usize = 0;
/** Offset of exporter_secret (Nh = 32). */
export const HPKE_CTX_EXPORTER: usize = 32;
/** Offset of base_nonce (Nn = 12). */
export const HPKE_CTX_BASE_NONCE: usize = 64;
/** Offset of the role word (u32). */
export const HPKE_CTX_ROLE: usize = 76;
/** Offset of the sequence number (u64, little-endian in memory). */
export const HPKE_CTX_SEQ: usize = 80;
/** Size of an HPKE context; the caller provides the memory (8-byte aligned). */
export const HPKE_CTX_BYTES: usize = 88;

// "HPKE-v1" || suite_id for the KEM (suite_id = "KEM" || I2OSP(0x0020, 2), §4.1)
// and for the key schedule (suite_id = "HPKE" || kem || kdf || aead, §5.1).
const KEM_PREFIX = memory.data<u8>([
  0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, // "HPKE-v1"
  0x4b, 0x45, 0x4d, 0x00, 0x20, //             "KEM" 0x0020
]);
const KEM_PREFIX_BYTES: usize = 12;
const HPKE_PREFIX = memory.data<u8>([
  0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, // "HPKE-v1"
  0x48, 0x50, 0x4b, 0x45, 0x00, 0x20, 0x00, 0x01, 0x00, 0x03, // "HPKE" 0x0020 0x0001 0x0003
]);
const HPKE_PREFIX_BYTES: usize = 17;

// Labels (§4.1, §5.1, §5.3, §7.1.3), ASCII, no terminator.
const L_EAE_PRK = memory.data<u8>([0x65, 0x61, 0x65, 0x5f, 0x70, 0x72, 0x6b]); // "eae_prk"
const L_SHARED_SECRET = memory.data<u8>([
  0x73, 0x68, 0x61, 0x72, 0x65, 0x64, 0x5f, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]); // "shared_secret"
const L_DKP_PRK = memory.data<u8>([0x64, 0x6b, 0x70, 0x5f, 0x70, 0x72, 0x6b]); // "dkp_prk"
const L_SK = memory.data<u8>([0x73, 0x6b]); // "sk"
const L_PSK_ID_HASH = memory.data<u8>([
  0x70, 0x73, 0x6b, 0x5f, 0x69, 0x64, 0x5f, 0x68, 0x61, 0x73, 0x68]); // "psk_id_hash"
const L_INFO_HASH = memory.data<u8>([0x69, 0x6e, 0x66, 0x6f, 0x5f, 0x68, 0x61, 0x73, 0x68]); // "info_hash"
const L_SECRET = memory.data<u8>([0x73, 0x65, 0x63, 0x72, 0x65, 0x74]); // "secret"
const L_KEY = memory.data<u8>([0x6b, 0x65, 0x79]); // "key"
const L_BASE_NONCE = memory.data<u8>([0x62, 0x61, 0x73, 0x65, 0x5f, 0x6e, 0x6f, 0x6e, 0x63, 0x65]); // "base_nonce"
const L_EXP = memory.data<u8>([0x65, 0x78, 0x70]); // "exp"
const L_SEC = memory.data<u8>([0x73, 0x65, 0x63]); // "sec"

// HMAC context for the labeled KDF calls.
const MAC: usize = memory.data(<i32>HMAC_SHA256_CTX_BYTES, 8);
// Expand's T(i) at 0..31, the block counter at 32, I2OSP(L, 2) at 33..34.
const T: usize = memory.data(40, 8);
// Setup scratch, one block. The KEM step uses the DH outputs (AuthEncap has
// two), kem_context = enc || pkR || pkS and a PRK (eae_prk, or dkp_prk); the
// key schedule then reuses the first bytes for key_schedule_context = mode ||
// psk_id_hash || info_hash and the PRK for its secret. The KEM shared secret
// passes between the two after the wiped region: each step wipes
// SCRATCH_WIPE_BYTES, setup wipes the shared secret last.
const SCRATCH_WIPE_BYTES: usize = 64 + 96 + 32;
const SCRATCH: usize = memory.data(<i32>(SCRATCH_WIPE_BYTES + HPKE_SECRET_BYTES), 8);
const DH: usize = SCRATCH;
const KEM_CONTEXT: usize = SCRATCH + 64;
const KS_CONTEXT: usize = SCRATCH;
const KS_CONTEXT_BYTES: usize = 65;
const PRK: usize = SCRATCH + 160;
const SHARED: usize = SCRATCH + SCRATCH_WIPE_BYTES;
// The per-message nonce (§5.2 ComputeNonce).
const NONCE: usize = memory.data(12, 8);

/**
 * LabeledExtract(salt, label, ikm) = HKDF-Extract(salt, "HPKE-v1" || suite_id
 * || label || ikm) (§4), into the 32 bytes at `prk`. `prk` may alias `salt`:
 * the salt is absorbed as the HMAC key before anything is written.
 */
function labeledExtract(
  prk: usize, salt: usize, saltLen: usize, prefix: usize, prefixLen: usize,
  label: usize, labelLen: usize, ikm: usize, ikmLen: usize,
): void {
  hmacSha256Init(MAC, salt, saltLen);
  hmacSha256Update(MAC, prefix, prefixLen);
  hmacSha256Update(MAC, label, labelLen);
  hmacSha256Update(MAC, ikm, ikmLen);
  hmacSha256Final(MAC, prk);
}

/**
 * LabeledExpand(prk, label, info, L) = HKDF-Expand(prk, I2OSP(L, 2) ||
 * "HPKE-v1" || suite_id || label || info, L) (§4), L <= HPKE_EXPORT_MAX, into
 * `out`, which must not overlap `prk`. HMAC is re-keyed per 32-byte block:
 * every call but Export() has one block, and a saved keyed context would cost
 * 208 more bytes of RAM.
 */
function labeledExpand(
  out: usize, outLen: usize, prk: usize, prefix: usize, prefixLen: usize,
  label: usize, labelLen: usize, info: usize, infoLen: usize,
): void {
  store<u8>(T, <u8>(outLen >> 8), 33);
  store<u8>(T, <u8>outLen, 34);
  let done: usize = 0;
  for (let i: u32 = 1; ; i++) {
    hmacSha256Init(MAC, prk, 32);
    // T(0) is the empty string (RFC 5869 §2.3).
    if (i > 1) hmacSha256Update(MAC, T, 32);
    hmacSha256Update(MAC, T + 33, 2);
    hmacSha256Update(MAC, prefix, prefixLen);
    hmacSha256Update(MAC, label, labelLen);
    hmacSha256Update(MAC, info, infoLen);
    store<u8>(T, <u8>i, 32);
    hmacSha256Update(MAC, T + 32, 1);
    hmacSha256Final(MAC, T);
    const left = outLen - done;
    if (left <= 32) {
      memory.copy(out + done, T, left);
      break;
    }
    memory.copy(out + done, T, 32);
    done += 32;
  }
  wipe(T, 32);
}

/**
 * DeriveKeyPair(ikm) (§7.1.3): the secret key into `sk` and its public key
 * into `pk` (32 bytes each). RFC 9180 asks for at least Nsk bytes of entropy
 * in ikm, so fewer than 32 bytes is refused with STATUS_RANGE.
 */
export function hpkeDeriveKeyPair(sk: usize, pk: usize, ikm: usize, ikmLen: usize): i32 {
  if (ikmLen < HPKE_KEY_BYTES) return STATUS_RANGE;
  labeledExtract(PRK, 0, 0, KEM_PREFIX, KEM_PREFIX_BYTES, L_DKP_PRK, 7, ikm, ikmLen);
  // X25519 clamps when it uses the key, so the 32 expanded bytes are the key (§7.1.3).
  labeledExpand(sk, HPKE_KEY_BYTES, PRK, KEM_PREFIX, KEM_PREFIX_BYTES, L_SK, 2, 0, 0);
  wipe(PRK, 32);
  x25519Base(pk, sk);
  return STATUS_OK;
}

/**
 * ExtractAndExpand (§4.1) of DH (one X25519 output, two in auth mode) and
 * KEM_CONTEXT (enc || pkR, || pkS in auth mode) into `sharedSecret`, or zeros
 * and STATUS_INVALID when a DH output was zero (`status` is the x25519
 * statuses ORed together).
 */
function extractAndExpand(sharedSecret: usize, auth: bool, status: i32): i32 {
  // Lengths by shift, not `auth ? 64 : 32`: Binaryen would emit `select`, and
  // although the mode is public, a select-free KEM keeps the wat check simple.
  const dhLen: usize = <usize>32 << <usize>auth;
  const kemContextLen = dhLen + 32;
  labeledExtract(PRK, 0, 0, KEM_PREFIX, KEM_PREFIX_BYTES, L_EAE_PRK, 7, DH, dhLen);
  labeledExpand(sharedSecret, HPKE_SECRET_BYTES, PRK, KEM_PREFIX, KEM_PREFIX_BYTES,
    L_SHARED_SECRET, 13, KEM_CONTEXT, kemContextLen);
  wipe(SCRATCH, SCRATCH_WIPE_BYTES);
  // RFC 7748 §6.1 / RFC 9180 §7.1.4: an all-zero DH output must abort. It
  // depends only on the peer's public key, so branching on it leaks nothing.
  if (status != STATUS_OK) {
    wipe(sharedSecret, HPKE_SECRET_BYTES);
    return STATUS_INVALID;
  }
  return STATUS_OK;
}

/**
 * Encap (mode base) or AuthEncap (mode auth) of §4.1: writes the KEM shared
 * secret (32 bytes) to `sharedSecret` and enc (32 bytes) to `enc`.
 * `skE` is the ephemeral secret, 32 random bytes (from the HAL RNG); it is
 * WIPED before return so that it cannot be used twice. Auth mode needs `skS`;
 * `pkS` may be 0, then it is computed from skS (one more scalar
 * multiplication). Returns STATUS_INVALID for another mode, a missing skS, or
 * a pkR of small order (sharedSecret is then zero). `enc` may alias `skE`.
 */
export function hpkeEncap(
  sharedSecret: usize, enc: usize, mode: u32, pkR: usize, skS: usize, pkS: usize, skE: usize,
): i32 {
  const auth = mode == HPKE_MODE_AUTH;
  if (!auth && mode != HPKE_MODE_BASE || auth && skS == 0) {
    wipe(skE, HPKE_KEY_BYTES);
    return STATUS_INVALID;
  }
  x25519Base(KEM_CONTEXT, skE);
  memory.copy(KEM_CONTEXT + 32, pkR, 32);
  let status = x25519(DH, skE, pkR);
  wipe(skE, HPKE_KEY_BYTES);
  memory.copy(enc, KEM_CONTEXT, HPKE_ENC_BYTES);
  if (auth) {
    status |= x25519(DH + 32, skS, pkR);
    if (pkS == 0) x25519Base(KEM_CONTEXT + 64, skS);
    else memory.copy(KEM_CONTEXT + 64, pkS, 32);
  }
  return extractAndExpand(sharedSecret, auth, status);
}

/**
 * Decap (mode base) or AuthDecap (mode auth) of §4.1: the KEM shared secret
 * for `enc` into `sharedSecret`. `pkR` may be 0, then it is computed from
 * `skR`; auth mode needs the sender's `pkS`. Returns STATUS_INVALID for
 * another mode, a missing pkS, or an enc or pkS of small order (the shared
 * secret is then zero).
 */
export function hpkeDecap(
  sharedSecret: usize, mode: u32, enc: usize, skR: usize, pkR: usize, pkS: usize,
): i32 {
  const auth = mode == HPKE_MODE_AUTH;
  if (!auth && mode != HPKE_MODE_BASE || auth && pkS == 0) return STATUS_INVALID;
  memory.copy(KEM_CONTEXT, enc, 32);
  if (pkR == 0) x25519Base(KEM_CONTEXT + 32, skR);
  else memory.copy(KEM_CONTEXT + 32, pkR, 32);
  let status = x25519(DH, skR, enc);
  if (auth) {
    status |= x25519(DH + 32, skR, pkS);
    memory.copy(KEM_CONTEXT + 64, pkS, 32);
  }
  return extractAndExpand(sharedSecret, auth, status);
}

/**
 * KeySchedule (§5.1) for modes base and auth (psk and psk_id empty): fills the
 * context at `ctx` (HPKE_CTX_BYTES) with key, base_nonce and exporter_secret,
 * sequence number 0 and `role` (HPKE_ROLE_SENDER or HPKE_ROLE_RECEIVER).
 * `sharedSecret` is read, not wiped. `mode` must be a supported mode.
 */
export function hpkeKeySchedule(
  ctx: usize, role: u32, mode: u32, sharedSecret: usize, info: usize, infoLen: usize,
): void {
  store<u8>(KS_CONTEXT, <u8>mode);
  labeledExtract(KS_CONTEXT + 1, 0, 0, HPKE_PREFIX, HPKE_PREFIX_BYTES, L_PSK_ID_HASH, 11, 0, 0);
  labeledExtract(KS_CONTEXT + 33, 0, 0, HPKE_PREFIX, HPKE_PREFIX_BYTES, L_INFO_HASH, 9, info, infoLen);
  labeledExtract(PRK, sharedSecret, HPKE_SECRET_BYTES, HPKE_PREFIX, HPKE_PREFIX_BYTES, L_SECRET, 6, 0, 0);
  labeledExpand(ctx + HPKE_CTX_KEY, 32, PRK, HPKE_PREFIX, HPKE_PREFIX_BYTES, L_KEY, 3, KS_CONTEXT, KS_CONTEXT_BYTES);
  labeledExpand(ctx + HPKE_CTX_BASE_NONCE, 12, PRK, HPKE_PREFIX, HPKE_PREFIX_BYTES,
    L_BASE_NONCE, 10, KS_CONTEXT, KS_CONTEXT_BYTES);
  labeledExpand(ctx + HPKE_CTX_EXPORTER, 32, PRK, HPKE_PREFIX, HPKE_PREFIX_BYTES,
    L_EXP, 3, KS_CONTEXT, KS_CONTEXT_BYTES);
  wipe(SCRATCH, SCRATCH_WIPE_BYTES);
  store<u32>(ctx, role, HPKE_CTX_ROLE);
  store<u64>(ctx, 0, HPKE_CTX_SEQ);
}

/**
 * SetupBaseS / SetupAuthS (§5.1.1, §5.1.3): encapsulates to `pkR`, writes enc
 * (32 bytes) to `enc` and a sender context to `ctx`. Arguments as hpkeEncap:
 * `skE` (32 fresh random bytes) is wiped; in auth mode `skS` is the sender's
 * static secret and `pkS` its public key or 0. On failure (STATUS_INVALID:
 * bad mode, missing key, pkR of small order) the context is zeroed, which
 * makes it unusable.
 */
export function hpkeSetupSender(
  ctx: usize, mode: u32, pkR: usize, skS: usize, pkS: usize,
  info: usize, infoLen: usize, skE: usize, enc: usize,
): i32 {
  return setup(ctx, HPKE_ROLE_SENDER, mode, hpkeEncap(SHARED, enc, mode, pkR, skS, pkS, skE), info, infoLen);
}

/**
 * SetupBaseR / SetupAuthR (§5.1.1, §5.1.3): decapsulates `enc` with `skR`
 * (its public key `pkR`, or 0 to compute it) and writes a receiver context to
 * `ctx`. Auth mode needs the sender's `pkS`. On failure (STATUS_INVALID) the
 * context is zeroed.
 */
export function hpkeSetupReceiver(
  ctx: usize, mode: u32, enc: usize, skR: usize, pkR: usize, pkS: usize, info: usize, infoLen: usize,
): i32 {
  return setup(ctx, HPKE_ROLE_RECEIVER, mode, hpkeDecap(SHARED, mode, enc, skR, pkR, pkS), info, infoLen);
}

// Setup's second half: a failed KEM step zeroes the context (role 0) instead of
// running the key schedule on a zero shared secret.
function setup(ctx: usize, role: u32, mode: u32, status: i32, info: usize, infoLen: usize): i32 {
  if (status != STATUS_OK) {
    wipe(ctx, HPKE_CTX_BYTES);
    return status;
  }
  hpkeKeySchedule(ctx, role, mode, SHARED, info, infoLen);
  wipe(SHARED, HPKE_SECRET_BYTES);
  return STATUS_OK;
}

/**
 * ComputeNonce (§5.2): base_nonce XOR I2OSP(seq, 12) into NONCE. The counter
 * is 64 bits, so only the last 8 nonce bytes change.
 */
function computeNonce(ctx: usize, seq: u64): void {
  memory.copy(NONCE, ctx + HPKE_CTX_BASE_NONCE, 4);
  store<u64>(NONCE, load<u64>(ctx + HPKE_CTX_BASE_NONCE, 4) ^ bswap<u64>(seq), 4);
}

/**
 * ContextS.Seal (§5.2): encrypts `ptLen` bytes at `pt` with `aadLen` bytes of
 * aad under the next sequence number; writes ptLen + HPKE_TAG_BYTES bytes
 * (ciphertext || tag) to `out`, which may equal `pt`. Returns STATUS_INVALID
 * for a context that is not a sender's, STATUS_RANGE when the sequence number
 * is exhausted (MessageLimitReachedError; our counter has 64 bits, so the
 * limit is 2^64 - 1 messages, below the RFC's 2^96 - 1).
 */
export function hpkeSeal(ctx: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize, out: usize): i32 {
  if (load<u32>(ctx, HPKE_CTX_ROLE) != HPKE_ROLE_SENDER) return STATUS_INVALID;
  const seq = load<u64>(ctx, HPKE_CTX_SEQ);
  if (seq == u64.MAX_VALUE) return STATUS_RANGE;
  computeNonce(ctx, seq);
  aeadSeal(out, ctx + HPKE_CTX_KEY, NONCE, aad, aadLen, pt, ptLen);
  wipe(NONCE, 12);
  store<u64>(ctx, seq + 1, HPKE_CTX_SEQ);
  return STATUS_OK;
}

/**
 * ContextR.Open (§5.2): authenticates and decrypts the `ctLen` bytes at `ct`
 * (ciphertext || 16-byte tag) with `aadLen` bytes of aad under the next
 * sequence number, writing ctLen - HPKE_TAG_BYTES bytes to `out` (may equal
 * `ct`). Returns STATUS_OK (the sequence number advances), STATUS_AUTH (out
 * zeroed, sequence number unchanged, as the RFC's OpenError), STATUS_RANGE
 * for ctLen < 16 or an exhausted sequence number, STATUS_INVALID for a
 * context that is not a receiver's.
 */
export function hpkeOpen(ctx: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, out: usize): i32 {
  if (load<u32>(ctx, HPKE_CTX_ROLE) != HPKE_ROLE_RECEIVER) return STATUS_INVALID;
  const seq = load<u64>(ctx, HPKE_CTX_SEQ);
  if (ctLen < HPKE_TAG_BYTES || seq == u64.MAX_VALUE) return STATUS_RANGE;
  computeNonce(ctx, seq);
  const n = ctLen - HPKE_TAG_BYTES;
  const status = aeadOpen(out, ctx + HPKE_CTX_KEY, NONCE, aad, aadLen, ct, n, ct + n);
  wipe(NONCE, 12);
  // Whether the record authenticated is public: the caller learns it.
  if (status == STATUS_OK) store<u64>(ctx, seq + 1, HPKE_CTX_SEQ);
  return status;
}

/**
 * Context.Export (§5.3): LabeledExpand(exporter_secret, "sec",
 * exporter_context, L) into `out` (L bytes; it must overlap neither the
 * context nor the exporter context, which are read again for every block).
 * Works on sender and receiver contexts. Returns STATUS_RANGE for
 * L > HPKE_EXPORT_MAX, STATUS_INVALID for a context that was never set up.
 */
export function hpkeExport(ctx: usize, exporterContext: usize, exporterContextLen: usize, outLen: usize, out: usize): i32 {
  if (load<u32>(ctx, HPKE_CTX_ROLE) == 0) return STATUS_INVALID;
  if (outLen > HPKE_EXPORT_MAX) return STATUS_RANGE;
  labeledExpand(out, outLen, ctx + HPKE_CTX_EXPORTER, HPKE_PREFIX, HPKE_PREFIX_BYTES,
    L_SEC, 3, exporterContext, exporterContextLen);
  return STATUS_OK;
}
