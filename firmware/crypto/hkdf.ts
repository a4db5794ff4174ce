// HKDF-SHA-256 (RFC 5869), no allocation.
//
// Expand keys one HMAC context with the PRK once and copies it for every
// output block, saving the two pad compressions per block that re-keying
// would cost. PRK, keyed contexts and T blocks are wiped before returning.

import { wipe } from "./ct";
import {
  HMAC_SHA256_CTX_BYTES, HMAC_SHA256_TAG_BYTES,
  hmacSha256, hmacSha256Init, hmacSha256Update, hmacSha256Final,
} from "./hmac";

/** Largest output of one expand: 255 blocks (RFC 5869 §2.3). */
export const HKDF_SHA256_MAX_OUT: usize = 255 * 32;
/** Pseudorandom key size (the HMAC-SHA-256 tag size). */
export const HKDF_SHA256_PRK_BYTES: usize = 32;

// HMAC keyed with the PRK, and the per-block working copy of it.
const KEYED: usize = memory.data(<i32>HMAC_SHA256_CTX_BYTES, 8);
const WORK: usize = memory.data(<i32>HMAC_SHA256_CTX_BYTES, 8);
// T(i) at 0..31, the block counter byte at 32.
const T: usize = memory.data(40, 8);
// PRK between extract and expand in the one-shot hkdfSha256().
const PRK: usize = memory.data(<i32>HKDF_SHA256_PRK_BYTES, 8);

/**
 * HKDF-Extract (RFC 5869 §2.2): PRK = HMAC(salt, IKM) into the 32 bytes at
 * `prk`. An empty salt needs no special case: HMAC zero-pads its key to a
 * block, so an empty key equals the 32 zero bytes the RFC prescribes.
 */
export function hkdfSha256Extract(prk: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize): void {
  hmacSha256(prk, salt, saltLen, ikm, ikmLen);
}

/**
 * HKDF-Expand (RFC 5869 §2.3): `outLen` bytes of T(1) | T(2) | ... into `out`,
 * where T(i) = HMAC(PRK, T(i-1) | info | i). The caller ensures
 * outLen <= HKDF_SHA256_MAX_OUT and that `out` overlaps neither `prk` nor `info`.
 * outLen = 0 writes nothing. Uses static scratch: not reentrant.
 */
export function hkdfSha256Expand(out: usize, outLen: usize, prk: usize, info: usize, infoLen: usize): void {
  hmacSha256Init(KEYED, prk, HKDF_SHA256_PRK_BYTES);
  let done: usize = 0;
  for (let i: u32 = 1; ; i++) {
    memory.copy(WORK, KEYED, HMAC_SHA256_CTX_BYTES);
    // T(0) is the empty string.
    if (i > 1) hmacSha256Update(WORK, T, HMAC_SHA256_TAG_BYTES);
    hmacSha256Update(WORK, info, infoLen);
    store<u8>(T, <u8>i, 32);
    hmacSha256Update(WORK, T + 32, 1);
    hmacSha256Final(WORK, T);
    const left = outLen - done;
    if (left <= HMAC_SHA256_TAG_BYTES) {
      memory.copy(out + done, T, left);
      break;
    }
    memory.copy(out + done, T, HMAC_SHA256_TAG_BYTES);
    done += HMAC_SHA256_TAG_BYTES;
  }
  wipe(KEYED, HMAC_SHA256_CTX_BYTES);
  wipe(T, 40);
}

/** Extract-then-expand: `outLen` (<= HKDF_SHA256_MAX_OUT) bytes into `out`. */
export function hkdfSha256(
  out: usize, outLen: usize, salt: usize, saltLen: usize,
  ikm: usize, ikmLen: usize, info: usize, infoLen: usize,
): void {
  hkdfSha256Extract(PRK, salt, saltLen, ikm, ikmLen);
  hkdfSha256Expand(out, outLen, PRK, info, infoLen);
  wipe(PRK, HKDF_SHA256_PRK_BYTES);
}
