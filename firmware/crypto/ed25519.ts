// Ed25519 signatures (RFC 8032 §5.1, pure EdDSA, no context) and the did:key
// conversion of Ed25519 keys to X25519 keys (RFC 7748 §4.1 birational map).
//
// Verification policy: libsodium's crypto_sign_verify_detached. All of
// Wycheproof's ed25519_test.json agrees with it (no "acceptable" cases).
// - S must be canonical, S < L (RFC 8032 §5.1.7 step 1, §8.4): rejects the
//   S + L malleability.
// - A must be the canonical encoding of a curve point (§5.1.3: y < p, and not
//   x = 0 with the sign bit set).
// - R is never decoded: [S]B - [k]A is encoded canonically and compared byte
//   for byte with R (ref10, libsodium), so a non-canonical or off-curve R can
//   never match.
// - Small-order A and small-order R are rejected: with an identity-like key
//   one signature verifies for many messages and keys, which breaks
//   non-repudiation; honest keys and nonces never have small order.
// - The equation is cofactorless, [S]B = R + [k]A (RFC 8032 allows either
//   form). It differs from the cofactored [8][S]B = [8]R + [8][k]A only when
//   A or R has a torsion component, which honest signers never produce.
// @noble/curves' strict mode (zip215: false) decides the same on every honest
// or Wycheproof input; it accepts more only in those torsion cases. Its
// default (ZIP-215) also accepts non-canonical encodings and small-order keys.
// k = SHA-512(R || A || M) hashes the bytes as received.

import { STATUS_OK, STATUS_AUTH, STATUS_INVALID } from "../status";
import { wipe, ctVerify } from "./ct";
import { FE_BYTES, feAdd, feSub, feMul, feInvert, feToBytes } from "./field25519";
import { SHA512_CTX_BYTES, sha512, sha512Init, sha512Update, sha512Final } from "./sha512";
import { scReduce, scMulAdd, scIsCanonical } from "./scalar25519";
import {
  GE_BYTES, geScalarMultBase, geEncode, geDecode, geNeg, geHasSmallOrder,
  geDoubleScalarMultVartime,
} from "./edwards25519";

/** Size of a seed (the RFC 8032 private key). */
export const ED25519_SEED_BYTES: usize = 32;
/** Size of a public key. */
export const ED25519_PUBLIC_KEY_BYTES: usize = 32;
/** Size of a signature (R || S). */
export const ED25519_SIGNATURE_BYTES: usize = 64;

// Scratch. EXPANDED (s || prefix), NONCE and POINT hold secrets and are wiped
// before every return; the others hold public values (A, R, k) but are wiped
// too so nothing of a signing operation lingers.
const CTX: usize = memory.data(<i32>SHA512_CTX_BYTES, 8);
const EXPANDED: usize = memory.data(64, 8);
const NONCE: usize = memory.data(64, 8);
const RS: usize = memory.data(64, 8); // R || S, copied to the caller last
const POINT: usize = memory.data(<i32>GE_BYTES, 8);
// A's encoding, then the 64-byte challenge hash: sha512Final writes k only
// after A has been absorbed, so both can share one buffer.
const PUB: usize = memory.data(64, 8);
const CHALLENGE: usize = PUB;

// EXPANDED = SHA-512(seed) with its first half clamped (RFC 8032 §5.1.5
// steps 1-2): s = a multiple of 8 in [2^254, 2^255).
function expandSeed(seed: usize): void {
  sha512(EXPANDED, seed, 32);
  store<u8>(EXPANDED, load<u8>(EXPANDED) & 248);
  store<u8>(EXPANDED + 31, (load<u8>(EXPANDED + 31) & 127) | 64);
}

/**
 * Writes the 32-byte public key A = [s]B of the 32-byte `seed` to `pub`
 * (RFC 8032 §5.1.5). Constant time. pub may alias seed.
 */
export function ed25519PublicKey(pub: usize, seed: usize): void {
  expandSeed(seed);
  geScalarMultBase(POINT, EXPANDED);
  geEncode(pub, POINT);
  wipe(EXPANDED, 64);
  wipe(POINT, GE_BYTES);
}

/**
 * Writes the 64-byte signature R || S of the `msgLen` bytes at `msg` under the
 * 32-byte `seed` to `sig` (RFC 8032 §5.1.6; deterministic). The public key is
 * derived from the seed, so a mismatched key can never leak s. Constant time
 * in the seed and the nonce; time depends only on msgLen. sig may overlap the
 * inputs: it is written last.
 */
export function ed25519Sign(sig: usize, seed: usize, msg: usize, msgLen: usize): void {
  expandSeed(seed);
  geScalarMultBase(POINT, EXPANDED);
  geEncode(PUB, POINT);
  // r = SHA-512(prefix || M) mod L.
  sha512Init(CTX);
  sha512Update(CTX, EXPANDED + 32, 32);
  sha512Update(CTX, msg, msgLen);
  sha512Final(CTX, NONCE);
  scReduce(NONCE, NONCE);
  geScalarMultBase(POINT, NONCE);
  geEncode(RS, POINT);
  // k = SHA-512(R || A || M) mod L; S = r + k s mod L.
  sha512Init(CTX);
  sha512Update(CTX, RS, 32);
  sha512Update(CTX, PUB, 32);
  sha512Update(CTX, msg, msgLen);
  sha512Final(CTX, CHALLENGE);
  scReduce(CHALLENGE, CHALLENGE);
  scMulAdd(RS + 32, CHALLENGE, EXPANDED, NONCE);
  memory.copy(sig, RS, 64);
  wipe(EXPANDED, 64);
  wipe(NONCE, 64);
  wipe(CHALLENGE, 64);
  wipe(RS, 64);
  wipe(POINT, GE_BYTES);
}

/**
 * Checks the 64-byte signature `sig` of the `msgLen` bytes at `msg` under the
 * 32-byte public key `pub` (RFC 8032 §5.1.7, strict: see the policy at the
 * top of this file). Returns STATUS_OK or STATUS_AUTH.
 * VARIABLE TIME: inputs are public.
 */
export function ed25519Verify(pub: usize, msg: usize, msgLen: usize, sig: usize): i32 {
  if (!scIsCanonical(sig + 32)) return STATUS_AUTH;
  if (!geDecode(POINT, pub) || geHasSmallOrder(POINT)) return STATUS_AUTH;
  sha512Init(CTX);
  sha512Update(CTX, sig, 32);
  sha512Update(CTX, pub, 32);
  sha512Update(CTX, msg, msgLen);
  sha512Final(CTX, CHALLENGE);
  scReduce(CHALLENGE, CHALLENGE);
  // R' = [S]B + [k](-A); valid when R' encodes to R.
  geNeg(POINT, POINT);
  geDoubleScalarMultVartime(POINT, CHALLENGE, POINT, sig + 32);
  if (geHasSmallOrder(POINT)) return STATUS_AUTH;
  geEncode(RS, POINT);
  return ctVerify(RS, sig, 32) == 0 ? STATUS_OK : STATUS_AUTH;
}

/**
 * Writes the X25519 public key u = (1 + y) / (1 - y) of the Ed25519 public key
 * `pub` to `out` (RFC 7748 §4.1; the did:key method, libsodium's
 * crypto_sign_ed25519_pk_to_curve25519). Returns STATUS_INVALID, with out
 * zeroed, when pub is not a canonical point encoding or has small order: its
 * u would be a low-order X25519 point (0, 1, p - 1, ...), so any shared secret
 * with it is predictable (y = 1 would also divide by zero). Unlike libsodium,
 * keys with a torsion component are not rejected: X25519's clamping (a
 * multiple of 8) removes that component. @noble/curves' toMontgomery gives
 * the same u for every other key. VARIABLE TIME: the key is public.
 */
export function ed25519ToX25519Public(out: usize, pub: usize): i32 {
  if (!geDecode(POINT, pub) || geHasSmallOrder(POINT)) {
    wipe(out, 32);
    return STATUS_INVALID;
  }
  // Z = 1 after decoding: u = (Z + Y) / (Z - Y), computed in the X and T slots.
  const x = POINT, y = POINT + FE_BYTES, z = POINT + 2 * FE_BYTES, t = POINT + 3 * FE_BYTES;
  feAdd(x, z, y);
  feSub(t, z, y);
  feInvert(t, t);
  feMul(x, x, t);
  feToBytes(out, x);
  return STATUS_OK;
}

/**
 * Writes the X25519 private key of the Ed25519 `seed` to `out`: the clamped
 * first half of SHA-512(seed), i.e. the Ed25519 secret scalar s itself
 * (libsodium's crypto_sign_ed25519_sk_to_curve25519 and @noble/curves'
 * toMontgomerySecret, byte for byte). X25519 clamps again, which changes
 * nothing. Constant time. out may alias seed.
 */
export function ed25519ToX25519Secret(out: usize, seed: usize): void {
  expandSeed(seed);
  memory.copy(out, EXPANDED, 32);
  wipe(EXPANDED, 64);
}
