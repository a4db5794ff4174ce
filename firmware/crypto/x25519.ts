// X25519 Diffie-Hellman (RFC 7748 §5): the Montgomery ladder on Curve25519's
// u-coordinate, over field25519.ts.
//
// Constant time: the scalar's bits are read at public positions and only ever
// feed the conditional swap's mask; the ladder always runs 255 steps; the
// inversion is a fixed exponentiation. All state lives in static scratch and is
// wiped before return.

import { STATUS_OK, STATUS_INVALID } from "../status";
import { ctIsZero, wipe } from "./ct";
import {
  FE_BYTES, feOne, feZero, feCopy, feMul, feSq, feMul121666, feMulSmall, feInvert,
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

// The base point's u-coordinate (RFC 7748 §4.1).
const BASE_U: u32 = 9;

/**
 * out32 = u-coordinate of [clamp(scalar)] (u, *). X1 must hold u, K the
 * clamped scalar. When `base` (public) is set, x1 = 9 and the multiplication
 * by x1 becomes a multiplication by a small constant.
 *
 * Step formulas: RFC 7748 §5 with z2 = E * (BB + 121666 * E), which equals
 * E * (AA + 121665 * E) because AA = BB + E. Sums and differences are left
 * uncarried (loose, field25519.ts BOUNDS): each feeds only a multiplication.
 */
function ladder(out32: usize, base: bool): void {
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
    if (base) feMulSmall(Z3, Z2, BASE_U); // z3 = x1 * (DA - CB)^2
    else feMul(Z3, X1, Z2);
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
  feFromBytes(X1, u32);
  clampInto(scalar32);
  ladder(out32, false);
  // ctIsZero returns 1 or 0: map to STATUS_INVALID or STATUS_OK without a branch.
  return ctIsZero(out32, X25519_BYTES) * STATUS_INVALID + STATUS_OK;
}

/** out32 = X25519(scalar32, 9): the public key for a secret scalar. out32 may alias scalar32. */
export function x25519Base(out32: usize, scalar32: usize): void {
  feZero(X1);
  store<u32>(X1, BASE_U);
  clampInto(scalar32);
  ladder(out32, true);
}
