// Noise Protocol Framework, revision 34, for the initiator role only, with the
// suite 25519 / ChaChaPoly / SHA256. One small token interpreter runs every
// pattern sealink needs (IKpsk2 sessions, XXpsk3 enrollment; IK and XX for the
// cacophony vectors), so there is one code path to audit and test.
//
// Section numbers refer to the Noise specification.
//  - HKDF (§4.3) is RFC 5869 HKDF-SHA256 with salt = ck and empty info: the
//    spec's output1 = HMAC(temp_key, 0x01), output2 = HMAC(temp_key,
//    output1 || 0x02) are exactly HKDF-Expand's T(1), T(2).
//  - psk modifier (§9.2): every "e" token also does MixKey(e.public_key).
//  - A message that fails to authenticate leaves the state untouched
//    (docs/protocol.md §8: dropped messages never change state): the
//    symmetric state is copied to HS_BACKUP before reading and restored.
//  - Beyond the spec, noiseReadMessageBound() first hashes bytes the caller
//    sends in the clear (sealink's response header, docs/protocol.md §2).
//
// Constant time: keys, chaining key and hash only pass through the crypto
// primitives and memory copies of public length. Branches depend only on the
// token sequence, message lengths and AEAD/DH success (public outcomes).

import { sha256, sha256Init, sha256Update, sha256Final } from "../crypto/sha256";
import { hkdfSha256 } from "../crypto/hkdf";
import { aeadSeal, aeadOpen } from "../crypto/aead";
import { x25519, x25519Base } from "../crypto/x25519";
import { wipe, copy } from "../crypto/ct";
import { STATUS_OK } from "../status";
import { HS, HS_BYTES, HS_BACKUP, HS_BACKUP_BYTES, SCRATCH, SCRATCH_BYTES } from "./mem";

/** DHLEN, HASHLEN and the cipher key length are all 32 for this suite (§12.1, §12.5). */
export const NOISE_KEY_BYTES: usize = 32;
/** Poly1305 tag appended by every EncryptWithAd that has a key. */
export const NOISE_TAG_BYTES: usize = 16;

// Tokens of a message pattern (§7.1). A pattern is a byte string of tokens,
// one message after another, each message ended by TOKEN_END.
export const TOKEN_END: u8 = 0;
export const TOKEN_E: u8 = 1;
export const TOKEN_S: u8 = 2;
export const TOKEN_EE: u8 = 3;
export const TOKEN_ES: u8 = 4;
export const TOKEN_SE: u8 = 5;
export const TOKEN_SS: u8 = 6;
export const TOKEN_PSK: u8 = 7;

// Handshake state layout (HS, mem.ts). [0, HS_SYMMETRIC_BYTES) is what a
// failed read must not change, so it is what HS_BACKUP saves.
export const HS_CK: usize = 0;        // chaining key (32)
export const HS_H: usize = 32;        // handshake hash (32)
export const HS_K: usize = 64;        // cipher key (32)
export const HS_N: usize = 96;        // nonce (u64)
export const HS_HAS_KEY: usize = 104; // u32: k is set
export const HS_PSK_MODE: usize = 108; // u32: pattern has a psk modifier (§9.2)
export const HS_CURSOR: usize = 112;  // u32: address of the next message's first token
const HS_SYMMETRIC_BYTES: usize = 120;
export const HS_E: usize = 120;       // local ephemeral private key (32), filled by the caller
export const HS_RE: usize = 152;      // remote ephemeral public key (32)
export const HS_RS: usize = 184;      // remote static public key (32): pre-message or read
export const HS_S: usize = 216;       // local static private key (32), filled by the caller
export const HS_SPUB: usize = 248;    // local static public key (32), filled by the caller
export const HS_PSK: usize = 280;     // pre-shared key (32), filled by the caller
export const HS_RESULT: usize = 312;  // a key derived from the finished handshake, kept until used (32)

// Scratch layout (SCRATCH, mem.ts); every user wipes what it wrote.
export const SCRATCH_KDF: usize = 0;     // up to three HKDF outputs (96)
const SCRATCH_DH: usize = 96;           // DH result, or the next h while decrypting (32)
export const SCRATCH_NONCE: usize = 128;       // 12-byte ChaCha20-Poly1305 nonce
const SCRATCH_SHA: usize = 144;         // SHA-256 context (104)

/** Noise nonce (§12.3): 32 bits of zeros then the little-endian 64-bit counter. */
export function noiseNonce(out: usize, n: u64): void {
  store<u32>(out, 0);
  store<u64>(out, n, 4);
}

/** h = HASH(h || data) (§5.2 MixHash). */
function mixHashInto(dst: usize, data: usize, len: usize): void {
  const ctx = SCRATCH + SCRATCH_SHA;
  sha256Init(ctx);
  sha256Update(ctx, HS + HS_H, 32);
  sha256Update(ctx, data, len);
  sha256Final(ctx, dst);
}

/** MixHash(data) (§5.2). */
export function noiseMixHash(data: usize, len: usize): void {
  mixHashInto(HS + HS_H, data, len);
}

/** MixKey(ikm) (§5.2): ck, k = HKDF(ck, ikm, 2); n = 0. */
export function noiseMixKey(ikm: usize, len: usize): void {
  const kdf = SCRATCH + SCRATCH_KDF;
  hkdfSha256(kdf, 64, HS + HS_CK, 32, ikm, len, 0, 0);
  copy(HS + HS_CK, kdf, 32);
  copy(HS + HS_K, kdf + 32, 32);
  store<u64>(HS + HS_N, 0);
  store<u32>(HS + HS_HAS_KEY, 1);
  wipe(kdf, 64);
}

/** MixKeyAndHash(psk) (§5.2): ck, temp_h, k = HKDF(ck, psk, 3). */
export function noiseMixKeyAndHash(psk: usize): void {
  const kdf = SCRATCH + SCRATCH_KDF;
  hkdfSha256(kdf, 96, HS + HS_CK, 32, psk, 32, 0, 0);
  copy(HS + HS_CK, kdf, 32);
  noiseMixHash(kdf + 32, 32);
  copy(HS + HS_K, kdf + 64, 32);
  store<u64>(HS + HS_N, 0);
  store<u32>(HS + HS_HAS_KEY, 1);
  wipe(kdf, 96);
}

/** EncryptAndHash(pt) (§5.2) into out (out may equal pt). Returns the bytes written. */
export function noiseEncryptAndHash(out: usize, pt: usize, len: usize): usize {
  let outLen = len;
  if (load<u32>(HS + HS_HAS_KEY) != 0) {
    const nonce = SCRATCH + SCRATCH_NONCE;
    noiseNonce(nonce, load<u64>(HS + HS_N));
    aeadSeal(out, HS + HS_K, nonce, HS + HS_H, 32, pt, len);
    store<u64>(HS + HS_N, load<u64>(HS + HS_N) + 1);
    outLen += NOISE_TAG_BYTES;
  } else {
    copy(out, pt, len);
  }
  noiseMixHash(out, outLen);
  return outLen;
}

/**
 * DecryptAndHash(ct) (§5.2) into out (out may equal ct). Returns the plaintext
 * length, or -1 when authentication fails; then h, n and out are unchanged
 * except that out is zeroed.
 */
export function noiseDecryptAndHash(out: usize, ct: usize, len: usize): i32 {
  // The next h covers the ciphertext, which in-place decryption overwrites:
  // compute it first, and commit it only once the tag verified.
  const nextH = SCRATCH + SCRATCH_DH;
  mixHashInto(nextH, ct, len);
  let ptLen = len;
  if (load<u32>(HS + HS_HAS_KEY) != 0) {
    if (len < NOISE_TAG_BYTES) return -1;
    ptLen = len - NOISE_TAG_BYTES;
    const nonce = SCRATCH + SCRATCH_NONCE;
    noiseNonce(nonce, load<u64>(HS + HS_N));
    if (aeadOpen(out, HS + HS_K, nonce, HS + HS_H, 32, ct, ptLen, ct + ptLen) != STATUS_OK) {
      wipe(nextH, 32);
      return -1;
    }
    store<u64>(HS + HS_N, load<u64>(HS + HS_N) + 1);
  } else {
    copy(out, ct, len);
  }
  copy(HS + HS_H, nextH, 32);
  wipe(nextH, 32);
  return <i32>ptLen;
}

/**
 * InitializeSymmetric(name) and the start of Initialize (§5.2, §5.3): h = name
 * padded or hashed, ck = h, MixHash(prologue), then the responder's static key
 * (HS_RS, set by the caller) when the pattern has the pre-message "<- s".
 * The caller fills HS_S, HS_SPUB, HS_PSK (when used) before writing.
 */
export function noiseInit(
  pattern: usize, name: usize, nameLen: usize, prologue: usize, prologueLen: usize,
  pskMode: bool, responderStaticKnown: bool,
): void {
  wipe(HS, HS_SYMMETRIC_BYTES);
  if (nameLen <= 32) copy(HS + HS_H, name, nameLen);
  else sha256(HS + HS_H, name, nameLen);
  copy(HS + HS_CK, HS + HS_H, 32);
  store<u32>(HS + HS_PSK_MODE, <u32>pskMode);
  store<u32>(HS + HS_CURSOR, <u32>pattern);
  noiseMixHash(prologue, prologueLen);
  if (responderStaticKnown) noiseMixHash(HS + HS_RS, 32);
}

/** One DH token as the initiator (§7.1): ee = DH(e, re), es = DH(e, rs), se = DH(s, re), ss = DH(s, rs). */
function dhToken(token: u8): bool {
  // Offsets picked arithmetically: no select, even on these public tokens.
  const priv = HS + HS_S - (HS_S - HS_E) * (<usize>(token == TOKEN_EE) | <usize>(token == TOKEN_ES));
  const pub = HS + HS_RS - (HS_RS - HS_RE) * (<usize>(token == TOKEN_EE) | <usize>(token == TOKEN_SE));
  const shared = SCRATCH + SCRATCH_DH;
  // RFC 7748 §6.1 / docs/protocol.md §1: an all-zero result (peer key of
  // small order) aborts the handshake. Whether it was zero is public.
  const ok = x25519(shared, priv, pub) == STATUS_OK;
  if (ok) noiseMixKey(shared, 32);
  wipe(shared, 32);
  return ok;
}

/**
 * WriteMessage (§5.3) for the next message of the pattern, initiator side.
 * The "e" token uses the private key the caller put in HS_E. Returns the
 * message length, or -1 when a DH result was zero.
 */
export function noiseWriteMessage(out: usize, payload: usize, payloadLen: usize): i32 {
  let t = <usize>load<u32>(HS + HS_CURSOR);
  let p = out;
  for (let token = load<u8>(t); token != TOKEN_END; token = load<u8>(++t)) {
    if (token == TOKEN_E) {
      x25519Base(p, HS + HS_E);
      noiseMixHash(p, 32);
      if (load<u32>(HS + HS_PSK_MODE) != 0) noiseMixKey(p, 32);
      p += 32;
    } else if (token == TOKEN_S) {
      p += noiseEncryptAndHash(p, HS + HS_SPUB, 32);
    } else if (token == TOKEN_PSK) {
      noiseMixKeyAndHash(HS + HS_PSK);
    } else if (!dhToken(token)) {
      return -1;
    }
  }
  store<u32>(HS + HS_CURSOR, <u32>(t + 1));
  p += noiseEncryptAndHash(p, payload, payloadLen);
  return <i32>(p - out);
}

/**
 * ReadMessage (§5.3) of the responder's next message. The payload is
 * decrypted to payloadOut (may equal the payload's place in msg). Returns the
 * payload length, or -1 (message too short, DH zero, or authentication
 * failed), in which case the symmetric state is as before the call.
 */
export function noiseReadMessage(msg: usize, len: usize, payloadOut: usize): i32 {
  return noiseReadMessageBound(0, 0, msg, len, payloadOut);
}

/**
 * MixHash(header) then ReadMessage, as one step that a failure undoes whole.
 * sealink binds a response's cleartext header (type, sender and receiver
 * indices) this way (docs/protocol.md §2): message 2's tags then authenticate
 * it, so a rewritten index fails like any other tampering. The MixHash is
 * inside the HS_BACKUP window on purpose: a forged response that fails must
 * leave h as it was, or the genuine response right behind it would fail too.
 * headerLen 0 hashes nothing (pure Noise, for the vectors). The header is
 * public; branching on its length is fine.
 */
export function noiseReadMessageBound(header: usize, headerLen: usize, msg: usize, len: usize, payloadOut: usize): i32 {
  copy(HS_BACKUP, HS, HS_SYMMETRIC_BYTES);
  if (headerLen != 0) noiseMixHash(header, headerLen);
  let t = <usize>load<u32>(HS + HS_CURSOR);
  let p = msg;
  const end = msg + len;
  let ok = true;
  for (;; t++) {
    const token = load<u8>(t);
    if (token == TOKEN_END) break;
    if (token == TOKEN_E) {
      if (end - p < 32) { ok = false; break; }
      copy(HS + HS_RE, p, 32);
      noiseMixHash(p, 32);
      if (load<u32>(HS + HS_PSK_MODE) != 0) noiseMixKey(p, 32);
      p += 32;
    } else if (token == TOKEN_S) {
      const n: usize = 32 + NOISE_TAG_BYTES * <usize>load<u32>(HS + HS_HAS_KEY);
      if (end - p < n) { ok = false; break; }
      ok = noiseDecryptAndHash(HS + HS_RS, p, n) >= 0;
      p += n;
    } else if (token == TOKEN_PSK) {
      noiseMixKeyAndHash(HS + HS_PSK);
    } else {
      ok = dhToken(token);
    }
    if (!ok) break;
  }
  let ptLen: i32 = -1;
  if (ok) ptLen = noiseDecryptAndHash(payloadOut, p, end - p);
  if (ptLen < 0) {
    copy(HS, HS_BACKUP, HS_SYMMETRIC_BYTES);
  } else {
    store<u32>(HS + HS_CURSOR, <u32>(t + 1));
  }
  wipe(HS_BACKUP, HS_BACKUP_BYTES);
  return ptLen;
}

/** Split() (§5.2): the initiator's sending key to k1, its receiving key to k2. */
export function noiseSplit(k1: usize, k2: usize): void {
  const kdf = SCRATCH + SCRATCH_KDF;
  hkdfSha256(kdf, 64, HS + HS_CK, 32, 0, 0, 0, 0);
  copy(k1, kdf, 32);
  copy(k2, kdf + 32, 32);
  wipe(kdf, 64);
}

/** Forgets the handshake: ephemeral and static secrets, psk, chaining key, hash. */
export function noiseWipe(): void {
  wipe(HS, HS_BYTES);
  wipe(HS_BACKUP, HS_BACKUP_BYTES);
  wipe(SCRATCH, SCRATCH_BYTES);
}
