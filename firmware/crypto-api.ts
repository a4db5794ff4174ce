// The crypto entry points of the core, over the exchange buffer (io.ts): the
// Node binding, tests and benchmarks call them. firmware/index.ts re-exports
// them with the device protocol; firmware/crypto-core.ts re-exports them alone
// so the build can hold the crypto to its own budgets. No protocol import here.
//
// Every export takes offsets into the exchange buffer, never raw addresses,
// and returns an i32 status (status.ts). Ranges are checked here, once, so
// the primitives can assume valid, in-bounds pointers. Lengths and offsets are
// public; everything behind them may be secret.

import { IO, IO_BYTES, ioFits } from "./io";
import { STATUS_OK, STATUS_RANGE } from "./status";
import { wipe } from "./crypto/ct";
import { SHA256_CTX_BYTES, sha256Init, sha256Update, sha256Final } from "./crypto/sha256";
import { SHA512_CTX_BYTES, sha512Init, sha512Update, sha512Final } from "./crypto/sha512";
import { HMAC_SHA256_CTX_BYTES, hmacSha256Init, hmacSha256Update, hmacSha256Final } from "./crypto/hmac";
import { HKDF_SHA256_MAX_OUT, hkdfSha256 } from "./crypto/hkdf";
import { aeadSeal, aeadOpen } from "./crypto/aead";
import { x25519, x25519Base } from "./crypto/x25519";
import {
  ed25519PublicKey, ed25519Sign, ed25519Verify,
  ed25519ToX25519Public, ed25519ToX25519Secret,
} from "./crypto/ed25519";

// Contexts for the host's streaming hash calls. They are separate from the
// contexts the primitives use internally, so a host stream can never clobber
// (or observe) an HMAC inside HKDF.
const API_SHA256 = memory.data(<i32>SHA256_CTX_BYTES, 8);
const API_SHA512 = memory.data(<i32>SHA512_CTX_BYTES, 8);
const API_HMAC = memory.data(<i32>HMAC_SHA256_CTX_BYTES, 8);

/** Address of the exchange buffer in linear memory. */
export function fw_io_ptr(): usize { return IO; }

/** Size of the exchange buffer in bytes. */
export function fw_io_bytes(): u32 { return IO_BYTES; }

// ---- hashes (streaming: any length through the fixed buffer) ----

export function crypto_sha256_init(): i32 {
  sha256Init(API_SHA256);
  return STATUS_OK;
}
export function crypto_sha256_update(off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return STATUS_RANGE;
  sha256Update(API_SHA256, IO + off, len);
  return STATUS_OK;
}
export function crypto_sha256_final(outOff: u32): i32 {
  if (!ioFits(outOff, 32)) return STATUS_RANGE;
  sha256Final(API_SHA256, IO + outOff);
  return STATUS_OK;
}

export function crypto_sha512_init(): i32 {
  sha512Init(API_SHA512);
  return STATUS_OK;
}
export function crypto_sha512_update(off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return STATUS_RANGE;
  sha512Update(API_SHA512, IO + off, len);
  return STATUS_OK;
}
export function crypto_sha512_final(outOff: u32): i32 {
  if (!ioFits(outOff, 64)) return STATUS_RANGE;
  sha512Final(API_SHA512, IO + outOff);
  return STATUS_OK;
}

export function crypto_hmac_sha256_init(keyOff: u32, keyLen: u32): i32 {
  if (!ioFits(keyOff, keyLen)) return STATUS_RANGE;
  hmacSha256Init(API_HMAC, IO + keyOff, keyLen);
  return STATUS_OK;
}
export function crypto_hmac_sha256_update(off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return STATUS_RANGE;
  hmacSha256Update(API_HMAC, IO + off, len);
  return STATUS_OK;
}
export function crypto_hmac_sha256_final(outOff: u32): i32 {
  if (!ioFits(outOff, 32)) return STATUS_RANGE;
  hmacSha256Final(API_HMAC, IO + outOff);
  return STATUS_OK;
}

/**
 * RFC 5869 extract-then-expand; outLen <= 255 * 32. The output may overlap salt
 * and ikm (extract consumes them into a private PRK first) but not info.
 */
export function crypto_hkdf_sha256(
  saltOff: u32, saltLen: u32, ikmOff: u32, ikmLen: u32,
  infoOff: u32, infoLen: u32, outOff: u32, outLen: u32,
): i32 {
  if (!ioFits(saltOff, saltLen) || !ioFits(ikmOff, ikmLen) || !ioFits(infoOff, infoLen)
    || !ioFits(outOff, outLen) || <usize>outLen > HKDF_SHA256_MAX_OUT) return STATUS_RANGE;
  hkdfSha256(IO + outOff, outLen, IO + saltOff, saltLen, IO + ikmOff, ikmLen, IO + infoOff, infoLen);
  return STATUS_OK;
}

// ---- ChaCha20-Poly1305 (RFC 8439) ----

/** Writes ct (ptLen bytes) then the 16-byte tag at outOff; out may equal pt. */
export function crypto_aead_seal(
  keyOff: u32, nonceOff: u32, aadOff: u32, aadLen: u32, ptOff: u32, ptLen: u32, outOff: u32,
): i32 {
  if (!ioFits(keyOff, 32) || !ioFits(nonceOff, 12) || !ioFits(aadOff, aadLen)
    || !ioFits(ptOff, ptLen) || ptLen > IO_BYTES - 16 || !ioFits(outOff, ptLen + 16)) return STATUS_RANGE;
  aeadSeal(IO + outOff, IO + keyOff, IO + nonceOff, IO + aadOff, aadLen, IO + ptOff, ptLen);
  return STATUS_OK;
}

/** ctLen includes the tag. Writes ctLen - 16 plaintext bytes, or zeros and STATUS_AUTH. */
export function crypto_aead_open(
  keyOff: u32, nonceOff: u32, aadOff: u32, aadLen: u32, ctOff: u32, ctLen: u32, outOff: u32,
): i32 {
  if (ctLen < 16 || !ioFits(keyOff, 32) || !ioFits(nonceOff, 12) || !ioFits(aadOff, aadLen)
    || !ioFits(ctOff, ctLen) || !ioFits(outOff, ctLen - 16)) return STATUS_RANGE;
  const n = ctLen - 16;
  return aeadOpen(IO + outOff, IO + keyOff, IO + nonceOff, IO + aadOff, aadLen, IO + ctOff, n, IO + ctOff + n);
}

// ---- X25519 (RFC 7748) ----

/** STATUS_INVALID when the result is all zero (u of small order); out holds it anyway. */
export function crypto_x25519(outOff: u32, scalarOff: u32, uOff: u32): i32 {
  if (!ioFits(outOff, 32) || !ioFits(scalarOff, 32) || !ioFits(uOff, 32)) return STATUS_RANGE;
  return x25519(IO + outOff, IO + scalarOff, IO + uOff);
}
export function crypto_x25519_base(outOff: u32, scalarOff: u32): i32 {
  if (!ioFits(outOff, 32) || !ioFits(scalarOff, 32)) return STATUS_RANGE;
  x25519Base(IO + outOff, IO + scalarOff);
  return STATUS_OK;
}

// ---- Ed25519 (RFC 8032) ----

export function crypto_ed25519_public_key(pubOff: u32, seedOff: u32): i32 {
  if (!ioFits(pubOff, 32) || !ioFits(seedOff, 32)) return STATUS_RANGE;
  ed25519PublicKey(IO + pubOff, IO + seedOff);
  return STATUS_OK;
}
export function crypto_ed25519_sign(sigOff: u32, seedOff: u32, msgOff: u32, msgLen: u32): i32 {
  if (!ioFits(sigOff, 64) || !ioFits(seedOff, 32) || !ioFits(msgOff, msgLen)) return STATUS_RANGE;
  ed25519Sign(IO + sigOff, IO + seedOff, IO + msgOff, msgLen);
  return STATUS_OK;
}
/** STATUS_OK for a valid signature, STATUS_AUTH otherwise. */
export function crypto_ed25519_verify(pubOff: u32, msgOff: u32, msgLen: u32, sigOff: u32): i32 {
  if (!ioFits(pubOff, 32) || !ioFits(sigOff, 64) || !ioFits(msgOff, msgLen)) return STATUS_RANGE;
  return ed25519Verify(IO + pubOff, IO + msgOff, msgLen, IO + sigOff);
}
/** did:key's X25519 key for an Ed25519 public key; STATUS_INVALID for a non-point. */
export function crypto_ed25519_to_x25519_public(outOff: u32, pubOff: u32): i32 {
  if (!ioFits(outOff, 32) || !ioFits(pubOff, 32)) return STATUS_RANGE;
  return ed25519ToX25519Public(IO + outOff, IO + pubOff);
}
export function crypto_ed25519_to_x25519_secret(outOff: u32, seedOff: u32): i32 {
  if (!ioFits(outOff, 32) || !ioFits(seedOff, 32)) return STATUS_RANGE;
  ed25519ToX25519Secret(IO + outOff, IO + seedOff);
  return STATUS_OK;
}

/** Zeroes the exchange buffer: the host calls it after passing secrets through. */
export function fw_io_wipe(): void { wipe(IO, IO_BYTES); }
