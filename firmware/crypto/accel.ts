// The board's optional crypto accelerators (hal/contract.json, HAL_CAP_*),
// behind the capability query. Interpreted WASM is slow on a 64-240 MHz core
// (one X25519 can take 0.1-0.5 s under WAMR's interpreter), so where the
// board offers native code the primitives call it first; each returns true
// when the accelerator produced the result and false when the caller must run
// its own code. The results are identical either way (test/accel.test.ts).
//
// VARIABLE TIME, on public values only: the branches here depend on the
// capability bits, on public pointers and lengths, and on the accelerator's
// status. When an accelerator fails (any status but HAL_OK, or the AEAD open
// verdict) the caller falls back to its own constant-time code. Safe: the
// only secret-dependent behaviour this adds is the board's own (its
// accelerator's timing and status), which the board already shows to anyone
// timing it; the core's fallback does the same constant-time work as a board
// without accelerators. The contract asks an accelerator to fail only before
// it writes its output, so a failed in-place seal still has its plaintext.
//
// AES: HAL_CAP_AES_BLOCK is part of the contract for the optional AES-CBC +
// HMAC suite (DESIGN.md), but the core has no AES user today, so nothing here
// calls hal_accel_aes256_block.

import {
  HAL_OK, HAL_EINVAL, HAL_ENOTSUP, HAL_CAP_X25519, HAL_CAP_CHACHA20_POLY1305, HAL_CAP_SHA256,
  hal_capabilities, hal_accel_x25519, hal_accel_aead_seal, hal_accel_aead_open, hal_accel_sha256,
} from "../hal.generated";
import { wipe } from "./ct";
import { STATUS_OK, STATUS_AUTH } from "../status";

/** accelOpen: the accelerator gave no verdict; run the software open. Distinct from every STATUS_*. */
export const ACCEL_FALLBACK: i32 = 1;

// The capability bits, read once: bit 31 says "loaded", bits 0..30 hold
// hal_capabilities() (0 when it answered a negative status). A static word,
// not a global: the build refuses mutable globals.
const CAPS: usize = memory.data(4, 4);
const CAPS_LOADED: u32 = 0x80000000;

// Where X25519 and SHA-256 accelerators write: the caller's out may alias its
// inputs, and a board is not asked to allow that. Wiped after each copy.
const RESULT: usize = memory.data(32, 8);

/** True when the board reports capability `cap` (HAL_CAP_*). Asks the board once. */
export function accelHas(cap: i32): bool {
  let caps = load<u32>(CAPS);
  if ((caps & CAPS_LOADED) == 0) {
    const reported = hal_capabilities();
    // A negative status (reported >> 31 is then all ones) counts as no accelerators.
    caps = CAPS_LOADED | (<u32>reported & ~<u32>(reported >> 31) & ~CAPS_LOADED);
    store<u32>(CAPS, caps);
  }
  return (caps & <u32>cap) != 0;
}

/**
 * A board that answers HAL_ENOTSUP does not have the accelerator after all
 * (a port in progress that sets the bit too early): stop asking it.
 */
function accelStatus(cap: i32, status: i32): bool {
  if (status == HAL_ENOTSUP) store<u32>(CAPS, load<u32>(CAPS) & ~<u32>cap);
  return status == HAL_OK;
}

/** 1 when [a, a + aLen) and [b, b + bLen) share no byte (empty ranges share none), else 0. */
// @ts-ignore: decorator
@inline function apart(a: usize, aLen: usize, b: usize, bLen: usize): u32 {
  // Bitwise, not && / ||: binaryen may turn a short-circuit into `select`,
  // which the static check refuses in crypto code whatever its inputs.
  return <u32>(aLen == 0) | <u32>(bLen == 0) | <u32>(a + aLen <= b) | <u32>(b + bLen <= a);
}

/**
 * The AEAD accelerator gets only calls a board can take without care for
 * aliasing: out (outLen bytes) equals the text exactly (in place) or shares
 * no byte with it, and shares none with key, nonce and aad. The core's own
 * callers meet this; others run the software code, which allows more.
 */
function aeadBuffersOk(out: usize, outLen: usize, key: usize, nonce: usize, aad: usize, aadLen: usize,
  text: usize, textLen: usize): bool {
  return (apart(out, outLen, key, 32) & apart(out, outLen, nonce, 12) & apart(out, outLen, aad, aadLen)
    & (<u32>(out == text) | apart(out, outLen, text, textLen))) != 0;
}

/** out32 = X25519(scalar32, u32) by the board; false when there is no accelerator or it failed. */
export function accelX25519(out32: usize, scalar32: usize, u32: usize): bool {
  if (!accelHas(HAL_CAP_X25519)) return false;
  const ok = accelStatus(HAL_CAP_X25519, hal_accel_x25519(RESULT, 32, scalar32, 32, u32, 32));
  if (ok) memory.copy(out32, RESULT, 32);
  wipe(RESULT, 32);
  return ok;
}

/** out32 = SHA-256 of len bytes at data by the board; false when there is no accelerator or it failed. */
export function accelSha256(out32: usize, data: usize, len: usize): bool {
  if (!accelHas(HAL_CAP_SHA256)) return false;
  const ok = accelStatus(HAL_CAP_SHA256, hal_accel_sha256(data, <u32>len, RESULT, 32));
  if (ok) memory.copy(out32, RESULT, 32);
  wipe(RESULT, 32);
  return ok;
}

/** ChaCha20-Poly1305 seal by the board (aeadSeal's arguments); false: run the software seal. */
export function accelSeal(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize): bool {
  if (!accelHas(HAL_CAP_CHACHA20_POLY1305)) return false;
  if (!aeadBuffersOk(out, ptLen + 16, key, nonce, aad, aadLen, pt, ptLen)) return false;
  return accelStatus(HAL_CAP_CHACHA20_POLY1305,
    hal_accel_aead_seal(key, 32, nonce, 12, aad, <u32>aadLen, pt, <u32>ptLen, out, <u32>(ptLen + 16)));
}

/**
 * ChaCha20-Poly1305 open by the board (aeadOpen's arguments): STATUS_OK,
 * STATUS_AUTH (HAL_EINVAL, the contract's "does not authenticate"; out is
 * zeroed here too, whatever the board did), or ACCEL_FALLBACK. The verdict is
 * public, as in the software open. The board takes ciphertext || tag as one
 * buffer, so a tag stored elsewhere goes to the software open.
 */
export function accelOpen(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize): i32 {
  if (!accelHas(HAL_CAP_CHACHA20_POLY1305)) return ACCEL_FALLBACK;
  if (tag != ct + ctLen || !aeadBuffersOk(out, ctLen, key, nonce, aad, aadLen, ct, ctLen + 16)) return ACCEL_FALLBACK;
  const status = hal_accel_aead_open(key, 32, nonce, 12, aad, <u32>aadLen, ct, <u32>(ctLen + 16), out, <u32>ctLen);
  if (accelStatus(HAL_CAP_CHACHA20_POLY1305, status)) return STATUS_OK;
  if (status == HAL_EINVAL) {
    wipe(out, ctLen);
    return STATUS_AUTH;
  }
  return ACCEL_FALLBACK;
}
