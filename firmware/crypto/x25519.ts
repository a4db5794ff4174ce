// X25519 Diffie-Hellman (RFC 7748 §5): the Montgomery ladder on Curve25519's
// u-coordinate, over field25519.ts; public keys through Ed25519's fixed-base comb.
//
// Constant time: the scalar's bits are read at public positions and only ever
// feed the conditional swap's mask; the ladder always runs 255 steps; the
// inversion is a fixed exponentiation; geScalarMultBase is constant time in its
// scalar (edwards25519.ts). All state lives in static scratch and is wiped
// before return.
//
// A board with an X25519 accelerator (HAL_CAP_X25519) computes both functions
// instead (accel.ts); its result is the same bytes, and the all-zero check
// below runs on it all the same.

import { GE_BYTES, geScalarMultBase, geEncode } from "./edwards25519";
import { STATUS_OK, STATUS_INVALID } from "../status";
import { ctIsZero, wipe } from "./ct";
import { accelX25519 } from "./accel";
import {
  FE_BYTES, feOne, feZero, feCopy, feAdd, feSub, feMul, feSq, feMul121666, feInvert,
  feFromBytes, feToBytes, feCswap, feSubLoose, feAddLoose, feSumDiffLoose,
} from "./field25519";

/** Bytes of a scalar, a u-coordinate and a shared secret. */
export const X25519_BYTES: usize = 32;

// Ladder state: x1 (the input u), (x2:z2) and (x3:z3), two temporaries, and the
// clamped copy of the scalar. One block so that one wipe clears it.
const STATE_BYTES: usize = 7 * FE_BYTES + 32;
const STATE: usize = memory.data(<i32>STATE_BYTES, 8);
const X1: usize = STATE;
const X2: usize = STATE + FE_BYTES;
const Z2: usize = STATE + 2 * FE_BYTES;
const X3: usize = STATE + 3 * FE_BYTES;
const Z3: usize = STATE + 4 * FE_BYTES;
const T0: usize = STATE + 5 * FE_BYTES;
const T1: usize = STATE + 6 * FE_BYTES;
const K: usize = STATE + 7 * FE_BYTES;

// x25519Base overlays its Edwards point on x2..z3 and the point's encoding on
// t0, so the fast base path costs no linear memory (checked in x25519Base).
const POINT: usize = X2;
const ENCODED: usize = T0;

// RFC 7748 §4.1: the base point, u = 9, for the accelerator path of x25519Base.
const BASE_U: usize = memory.data<u8>([
  9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/**
 * out32 = u-coordinate of [clamp(scalar)] (u, *). X1 must hold u, K the
 * clamped scalar.
 *
 * Step formulas: RFC 7748 §5 with z2 = E * (BB + 121666 * E), which equals
 * E * (AA + 121665 * E) because AA = BB + E. Sums and differences are left
 * uncarried (loose, field25519.ts BOUNDS): each feeds only a multiplication.
 */
function ladder(out32: usize): void {
  feOne(X2);
  feZero(Z2);
  feCopy(X3, X1);
  feOne(Z3);
  let swap: u32 = 0;
  for (let t: i32 = 254; t >= 0; t--) {
    // t is public: the byte index and shift leak nothing about the scalar.
    const bit = (<u32>load<u8>(K + (<usize>t >> 3)) >> (<u32>t & 7)) & 1;
    swap ^= bit;
    feCswap(X2, X3, swap);
    feCswap(Z2, Z3, swap);
    swap = bit;

    feSumDiffLoose(X2, T1, X2, Z2); // A = x2 + z2, B = x2 - z2
    feSumDiffLoose(Z2, T0, X3, Z3); // C = x3 + z3, D = x3 - z3
    feMul(Z3, T0, X2); //         DA
    feMul(Z2, Z2, T1); //         CB
    feSq(T0, T1); //              BB
    feSq(T1, X2); //              AA
    feSumDiffLoose(X3, Z2, Z3, Z2); // DA + CB, DA - CB
    feMul(X2, T1, T0); //         x2 = AA * BB
    feSubLoose(T1, T1, T0); //    E = AA - BB
    feSq(Z2, Z2); //              (DA - CB)^2
    feMul121666(Z3, T1); //       121666 * E
    feSq(X3, X3); //              x3 = (DA + CB)^2
    feAddLoose(T0, T0, Z3); //    BB + 121666 * E
    feMul(Z3, X1, Z2); //         z3 = x1 * (DA - CB)^2
    feMul(Z2, T1, T0); //         z2 = E * (BB + 121666 * E)
  }
  feCswap(X2, X3, swap);
  feCswap(Z2, Z3, swap);

  // u = x2 / z2; z2 = 0 (small-order input) gives 0, as RFC 7748 specifies.
  feInvert(Z2, Z2);
  feMul(X2, X2, Z2);
  feToBytes(out32, X2);
  wipe(STATE, STATE_BYTES);
}

// K = scalar with RFC 7748 §5 decodeScalar25519 applied: clear the 3 low bits
// (a multiple of the cofactor), clear bit 255, set bit 254.
function clampInto(scalar32: usize): void {
  memory.copy(K, scalar32, 32);
  store<u8>(K, load<u8>(K) & 248);
  store<u8>(K + 31, (load<u8>(K + 31) & 127) | 64);
}

/**
 * out32 = X25519(scalar32, u32) (RFC 7748 §5). The scalar is clamped (a copy;
 * the caller's bytes are untouched) and bit 255 of u is ignored; u values >= p
 * are accepted. Returns STATUS_OK, or STATUS_INVALID when the result is all
 * zero (u of small order, RFC 7748 §6.1): out32 then still holds the zeros.
 * out32 may alias either input.
 */
export function x25519(out32: usize, scalar32: usize, u32: usize): i32 {
  if (!accelX25519(out32, scalar32, u32)) {
    feFromBytes(X1, u32);
    clampInto(scalar32);
    ladder(out32);
  }
  // ctIsZero returns 1 or 0: map to STATUS_INVALID or STATUS_OK without a branch.
  return ctIsZero(out32, X25519_BYTES) * STATUS_INVALID + STATUS_OK;
}

/**
 * out32 = X25519(scalar32, 9): the public key for a secret scalar. out32 may
 * alias scalar32.
 *
 * Computed as [clamp(scalar)]B on edwards25519 with the fixed-base comb that
 * Ed25519 already carries (about 1.5x faster than the ladder, no extra table),
 * then mapped to u = (1 + y) / (1 - y) (RFC 7748 §4.1): B maps to u = 9 and the
 * map preserves scalar multiples. [k]B is never the identity (y = 1, where the
 * map divides by zero): a clamped k lies in [2^254, 2^255) and is a multiple of
 * 8, and no multiple of 8L does.
 */
export function x25519Base(out32: usize, scalar32: usize): void {
  if (GE_BYTES > 4 * FE_BYTES) ERROR("x25519Base: an Edwards point no longer fits over x2..z3");
  if (accelX25519(out32, scalar32, BASE_U)) return;
  clampInto(scalar32);
  geScalarMultBase(POINT, K);
  geEncode(ENCODED, POINT); // canonical y; bit 255 (sign of x) is ignored below
  feFromBytes(X1, ENCODED); // y
  feOne(T1);
  feAdd(T0, T1, X1); //         1 + y
  feSub(T1, T1, X1); //         1 - y
  feInvert(T1, T1);
  feMul(T0, T0, T1);
  feToBytes(out32, T0);
  wipe(STATE, STATE_BYTES);
}
