// ChaCha20-Poly1305 AEAD, RFC 8439 §2.8.
//
// Open is verify-then-decrypt: the tag is recomputed over aad and ciphertext
// and compared in constant time before a single plaintext byte is produced, so
// a forgery never yields unauthenticated plaintext (not even transiently in
// `out`). Whether a record authenticates is public (the caller learns it), so
// branching on that one bit is fine; nothing else branches on secrets.
//
// A board with a ChaCha20-Poly1305 accelerator (HAL_CAP_CHACHA20_POLY1305)
// does the work instead when the buffers suit it (accel.ts); the result is the
// same bytes and the same verdict.

import { chacha20Block, chacha20Xor } from "./chacha20";
import { POLY1305_CTX_BYTES, poly1305Init, poly1305Update, poly1305Final } from "./poly1305";
import { ctVerify, wipe } from "./ct";
import { STATUS_OK, STATUS_AUTH } from "../status";
import { ACCEL_FALLBACK, accelSeal, accelOpen } from "./accel";

/** Key size in bytes. */
export const AEAD_KEY_BYTES: usize = 32;
/** Nonce size in bytes. */
export const AEAD_NONCE_BYTES: usize = 12;
/** Tag size in bytes. */
export const AEAD_TAG_BYTES: usize = 16;

// Static scratch: one-time key block, MAC state, recomputed tag, length block.
const OTK = memory.data(64, 16);
const MAC = memory.data(<i32>POLY1305_CTX_BYTES, 8);
const TAG = memory.data(16, 8);
const LENGTHS = memory.data(16, 8);
const ZERO16 = memory.data(16, 8);

/**
 * Keys the MAC with the first 32 bytes of ChaCha20 block 0 (§2.6) and absorbs
 * the padded aad. Block 0 is wiped at once: its second half is never used.
 */
// @ts-ignore: decorator
@inline function macStart(key: usize, nonce: usize, aad: usize, aadLen: usize): void {
  chacha20Block(OTK, key, nonce, 0);
  poly1305Init(MAC, OTK);
  wipe(OTK, 64);
  macPadded(aad, aadLen);
}

/** Absorbs `len` bytes followed by zeros up to a multiple of 16 (§2.8 pad16). */
function macPadded(p: usize, len: usize): void {
  poly1305Update(MAC, p, len);
  poly1305Update(MAC, ZERO16, (16 - (len & 15)) & 15);
}

/** Absorbs le64(aadLen) || le64(textLen) and writes the tag; wipes the MAC state. */
// @ts-ignore: decorator
@inline function macFinish(aadLen: usize, textLen: usize, tag16: usize): void {
  store<u64>(LENGTHS, <u64>aadLen, 0);
  store<u64>(LENGTHS, <u64>textLen, 8);
  poly1305Update(MAC, LENGTHS, 16);
  poly1305Final(MAC, tag16);
}

/**
 * Encrypts `ptLen` bytes at `pt` under (key32, nonce12) with `aadLen` bytes of
 * associated data, writing ciphertext to `out` and the 16-byte tag to
 * `out + ptLen`. `out` may equal `pt`; aad is absorbed before any output is
 * written, so `out` may overlap it too. A nonce must never repeat under a key.
 */
export function aeadSeal(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize): void {
  if (accelSeal(out, key, nonce, aad, aadLen, pt, ptLen)) return;
  macStart(key, nonce, aad, aadLen);
  chacha20Xor(out, pt, ptLen, key, nonce, 1);
  macPadded(out, ptLen);
  macFinish(aadLen, ptLen, out + ptLen);
}

/**
 * Checks the 16-byte `tag` over aad and the `ctLen` ciphertext bytes at `ct`,
 * then decrypts them into `out`. Returns STATUS_OK, or STATUS_AUTH with
 * `out[0..ctLen)` zeroed. `out` may equal `ct`, and may overlap the tag or aad:
 * they are read completely before `out` is written.
 */
export function aeadOpen(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize): i32 {
  // The board's verdict is as public as ours below.
  const accel = accelOpen(out, key, nonce, aad, aadLen, ct, ctLen, tag);
  if (accel != ACCEL_FALLBACK) return accel;
  macStart(key, nonce, aad, aadLen);
  macPadded(ct, ctLen);
  macFinish(aadLen, ctLen, TAG);
  const diff = ctVerify(TAG, tag, 16); // 0 or -1
  wipe(TAG, 16);
  if (diff == 0) {
    chacha20Xor(out, ct, ctLen, key, nonce, 1);
  } else {
    wipe(out, ctLen);
  }
  // Mask blend, not a conditional: STATUS_OK when diff is 0, STATUS_AUTH when -1.
  return (STATUS_OK & ~diff) | (STATUS_AUTH & diff);
}
