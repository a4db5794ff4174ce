// Arithmetic in GF(p), p = 2^255 - 19, for X25519 (RFC 7748) and Ed25519 (RFC 8032).
//
// Representation (ref10 / fiat-crypto "curve25519 32-bit"): an element is ten
// unsigned limbs h0..h9, stored as u32 in FE_BYTES of memory, with
//   value = h0 + h1*2^26 + h2*2^51 + h3*2^77 + h4*2^102
//         + h5*2^128 + h6*2^153 + h7*2^179 + h8*2^204 + h9*2^230   (mod p).
// Even limbs are nominally 26 bits wide, odd limbs 25 bits. Products are
// computed as i64 because wasm has no 64x64->128 multiply: ten limbs need
// 100 (mul) or 55 (sq) multiplies, against 256 for TweetNaCl's sixteen.
//
// BOUNDS (the invariant every function relies on; W = 2^26 for even limbs,
// 2^25 for odd limbs):
//   tight: every limb < 1.01 * W. Every exported function returns a tight
//          element and accepts tight elements, so results can be chained
//          freely (add of an add, sub of a sub, ...).
//   loose: every limb < 4 * W. feMul, feSq, feMul121666, feMulSmall and
//          feToBytes also accept loose inputs: the worst column sum of a product is then
//          (1 + 19 * (4 + 10/4)) * 2^56 = 124.5 * 2^56 < 2^63, so no i64
//          overflows (checked by the field tests against BigInt). The ladder in
//          x25519.ts uses the non-carrying, loose sums below in its hot path.
// Subtraction adds 2p first (limbs 2^27-38, 2^26-2, 2^27-2, ...), which is
// larger than any tight limb, so limbs never go negative and all shifts are
// logical.
//
// Everything here is constant time: no branch, loop bound or memory index
// depends on an element's value. Outputs may alias any input: every function
// reads an input limb before it writes any output limb that could overlap it.

import { wipe } from "./ct";

/** Bytes one field element occupies in memory (ten u32 limbs). */
export const FE_BYTES: usize = 40;

const M26: u64 = 0x3ffffff;
const M25: u64 = 0x1ffffff;

// 2p in limbs, added before subtracting so limbs stay non-negative.
const P2_0: u32 = 0x7ffffda; // 2 * (2^26 - 19)
const P2_ODD: u32 = 0x3fffffe; // 2 * (2^25 - 1)
const P2_EVEN: u32 = 0x7fffffe; // 2 * (2^26 - 1)

// Scratch for the exponentiation chains and canonical encodings, one block so
// one wipe clears it (it holds powers of secret values).
const SCRATCH_BYTES: usize = 4 * FE_BYTES + 32;
const SCRATCH: usize = memory.data(<i32>SCRATCH_BYTES, 8);
const T0: usize = SCRATCH;
const T1: usize = SCRATCH + FE_BYTES;
const T2: usize = SCRATCH + 2 * FE_BYTES;
const T3: usize = SCRATCH + 3 * FE_BYTES;
const BYTES: usize = SCRATCH + 4 * FE_BYTES;

// Stores ten carried i64 limbs. Written as a macro so every caller keeps its
// carries in locals.
// @ts-ignore: decorator
@inline function store10(
  out: usize, h0: u64, h1: u64, h2: u64, h3: u64, h4: u64,
  h5: u64, h6: u64, h7: u64, h8: u64, h9: u64,
): void {
  store<u32>(out, <u32>h0, 0);
  store<u32>(out, <u32>h1, 4);
  store<u32>(out, <u32>h2, 8);
  store<u32>(out, <u32>h3, 12);
  store<u32>(out, <u32>h4, 16);
  store<u32>(out, <u32>h5, 20);
  store<u32>(out, <u32>h6, 24);
  store<u32>(out, <u32>h7, 28);
  store<u32>(out, <u32>h8, 32);
  store<u32>(out, <u32>h9, 36);
}

/**
 * Carries ten column sums (each < 2^63) down to a tight element and stores it.
 * The order (0,4 1,5 2,6 3,7 4,8 9 0) is ref10's: two independent chains for
 * instruction-level parallelism. Afterwards limbs 1 and 5 may exceed their
 * width by at most 2^17 (from 19 * carry9 < 2^43), all others are exact.
 */
// @ts-ignore: decorator
@inline function carryStore(
  out: usize, h0: u64, h1: u64, h2: u64, h3: u64, h4: u64,
  h5: u64, h6: u64, h7: u64, h8: u64, h9: u64,
): void {
  let c: u64;
  c = h0 >> 26; h1 += c; h0 &= M26;
  c = h4 >> 26; h5 += c; h4 &= M26;
  c = h1 >> 25; h2 += c; h1 &= M25;
  c = h5 >> 25; h6 += c; h5 &= M25;
  c = h2 >> 26; h3 += c; h2 &= M26;
  c = h6 >> 26; h7 += c; h6 &= M26;
  c = h3 >> 25; h4 += c; h3 &= M25;
  c = h7 >> 25; h8 += c; h7 &= M25;
  c = h4 >> 26; h5 += c; h4 &= M26;
  c = h8 >> 26; h9 += c; h8 &= M26;
  c = h9 >> 25; h0 += c * 19; h9 &= M25;
  c = h0 >> 26; h1 += c; h0 &= M26;
  store10(out, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** out = 0. */
export function feZero(out: usize): void {
  memory.fill(out, 0, FE_BYTES);
}

/** out = 1. */
export function feOne(out: usize): void {
  memory.fill(out, 0, FE_BYTES);
  store<u32>(out, 1);
}

/** out = a. */
export function feCopy(out: usize, a: usize): void {
  memory.copy(out, a, FE_BYTES);
}

/** out = a + b, tight (carried). */
export function feAdd(out: usize, a: usize, b: usize): void {
  carryStore(out,
    <u64>load<u32>(a, 0) + <u64>load<u32>(b, 0),
    <u64>load<u32>(a, 4) + <u64>load<u32>(b, 4),
    <u64>load<u32>(a, 8) + <u64>load<u32>(b, 8),
    <u64>load<u32>(a, 12) + <u64>load<u32>(b, 12),
    <u64>load<u32>(a, 16) + <u64>load<u32>(b, 16),
    <u64>load<u32>(a, 20) + <u64>load<u32>(b, 20),
    <u64>load<u32>(a, 24) + <u64>load<u32>(b, 24),
    <u64>load<u32>(a, 28) + <u64>load<u32>(b, 28),
    <u64>load<u32>(a, 32) + <u64>load<u32>(b, 32),
    <u64>load<u32>(a, 36) + <u64>load<u32>(b, 36));
}

/** out = a - b, tight (carried). b must be tight (all exported results are). */
export function feSub(out: usize, a: usize, b: usize): void {
  carryStore(out,
    <u64>(load<u32>(a, 0) + P2_0 - load<u32>(b, 0)),
    <u64>(load<u32>(a, 4) + P2_ODD - load<u32>(b, 4)),
    <u64>(load<u32>(a, 8) + P2_EVEN - load<u32>(b, 8)),
    <u64>(load<u32>(a, 12) + P2_ODD - load<u32>(b, 12)),
    <u64>(load<u32>(a, 16) + P2_EVEN - load<u32>(b, 16)),
    <u64>(load<u32>(a, 20) + P2_ODD - load<u32>(b, 20)),
    <u64>(load<u32>(a, 24) + P2_EVEN - load<u32>(b, 24)),
    <u64>(load<u32>(a, 28) + P2_ODD - load<u32>(b, 28)),
    <u64>(load<u32>(a, 32) + P2_EVEN - load<u32>(b, 32)),
    <u64>(load<u32>(a, 36) + P2_ODD - load<u32>(b, 36)));
}

/** out = -a, tight (carried). */
export function feNeg(out: usize, a: usize): void {
  carryStore(out,
    <u64>(P2_0 - load<u32>(a, 0)),
    <u64>(P2_ODD - load<u32>(a, 4)),
    <u64>(P2_EVEN - load<u32>(a, 8)),
    <u64>(P2_ODD - load<u32>(a, 12)),
    <u64>(P2_EVEN - load<u32>(a, 16)),
    <u64>(P2_ODD - load<u32>(a, 20)),
    <u64>(P2_EVEN - load<u32>(a, 24)),
    <u64>(P2_ODD - load<u32>(a, 28)),
    <u64>(P2_EVEN - load<u32>(a, 32)),
    <u64>(P2_ODD - load<u32>(a, 36)));
}

/** out = a + b without carrying: loose output, valid only as a feMul/feSq input. */
// @ts-ignore: decorator
@inline export function feAddLoose(out: usize, a: usize, b: usize): void {
  store<u32>(out, load<u32>(a, 0) + load<u32>(b, 0), 0);
  store<u32>(out, load<u32>(a, 4) + load<u32>(b, 4), 4);
  store<u32>(out, load<u32>(a, 8) + load<u32>(b, 8), 8);
  store<u32>(out, load<u32>(a, 12) + load<u32>(b, 12), 12);
  store<u32>(out, load<u32>(a, 16) + load<u32>(b, 16), 16);
  store<u32>(out, load<u32>(a, 20) + load<u32>(b, 20), 20);
  store<u32>(out, load<u32>(a, 24) + load<u32>(b, 24), 24);
  store<u32>(out, load<u32>(a, 28) + load<u32>(b, 28), 28);
  store<u32>(out, load<u32>(a, 32) + load<u32>(b, 32), 32);
  store<u32>(out, load<u32>(a, 36) + load<u32>(b, 36), 36);
}

/** out = a - b without carrying (a, b tight): loose output, only for feMul/feSq/feMul121666. */
// @ts-ignore: decorator
@inline export function feSubLoose(out: usize, a: usize, b: usize): void {
  store<u32>(out, load<u32>(a, 0) + P2_0 - load<u32>(b, 0), 0);
  store<u32>(out, load<u32>(a, 4) + P2_ODD - load<u32>(b, 4), 4);
  store<u32>(out, load<u32>(a, 8) + P2_EVEN - load<u32>(b, 8), 8);
  store<u32>(out, load<u32>(a, 12) + P2_ODD - load<u32>(b, 12), 12);
  store<u32>(out, load<u32>(a, 16) + P2_EVEN - load<u32>(b, 16), 16);
  store<u32>(out, load<u32>(a, 20) + P2_ODD - load<u32>(b, 20), 20);
  store<u32>(out, load<u32>(a, 24) + P2_EVEN - load<u32>(b, 24), 24);
  store<u32>(out, load<u32>(a, 28) + P2_ODD - load<u32>(b, 28), 28);
  store<u32>(out, load<u32>(a, 32) + P2_EVEN - load<u32>(b, 32), 32);
  store<u32>(out, load<u32>(a, 36) + P2_ODD - load<u32>(b, 36), 36);
}

/**
 * sum = a + b and diff = a - b in one pass, both loose (a, b tight); only for
 * feMul/feSq/feMul121666. Each limb is read before either output limb is
 * written, so sum and diff may alias a or b (but not each other).
 */
export function feSumDiffLoose(sum: usize, diff: usize, a: usize, b: usize): void {
  sumDiffPair(sum, diff, a, b, 0, P2_0);
  sumDiffPair(sum, diff, a, b, 8, P2_EVEN);
  sumDiffPair(sum, diff, a, b, 16, P2_EVEN);
  sumDiffPair(sum, diff, a, b, 24, P2_EVEN);
  sumDiffPair(sum, diff, a, b, 32, P2_EVEN);
}

// One even/odd limb pair of feSumDiffLoose; p2even is the even limb's digit of 2p.
// @ts-ignore: decorator
@inline function sumDiffPair(sum: usize, diff: usize, a: usize, b: usize, off: usize, p2even: u32): void {
  const x0 = load<u32>(a + off), y0 = load<u32>(b + off);
  const x1 = load<u32>(a + off, 4), y1 = load<u32>(b + off, 4);
  store<u32>(sum + off, x0 + y0);
  store<u32>(sum + off, x1 + y1, 4);
  store<u32>(diff + off, x0 + p2even - y0);
  store<u32>(diff + off, x1 + P2_ODD - y1, 4);
}

/**
 * out = a * b. Inputs tight or loose, output tight.
 * Schoolbook product with the wrap-around folded in: 2^255 = 19 (mod p), and
 * an odd limb times an odd limb lands one bit above the column's base (odd
 * limbs sit at half-bit offsets), hence the doubled factors f1_2.. / 38.
 */
export function feMul(out: usize, a: usize, b: usize): void {
  const f0 = <u64>load<u32>(a, 0), f1 = <u64>load<u32>(a, 4);
  const f2 = <u64>load<u32>(a, 8), f3 = <u64>load<u32>(a, 12);
  const f4 = <u64>load<u32>(a, 16), f5 = <u64>load<u32>(a, 20);
  const f6 = <u64>load<u32>(a, 24), f7 = <u64>load<u32>(a, 28);
  const f8 = <u64>load<u32>(a, 32), f9 = <u64>load<u32>(a, 36);
  const g0 = <u64>load<u32>(b, 0), g1 = <u64>load<u32>(b, 4);
  const g2 = <u64>load<u32>(b, 8), g3 = <u64>load<u32>(b, 12);
  const g4 = <u64>load<u32>(b, 16), g5 = <u64>load<u32>(b, 20);
  const g6 = <u64>load<u32>(b, 24), g7 = <u64>load<u32>(b, 28);
  const g8 = <u64>load<u32>(b, 32), g9 = <u64>load<u32>(b, 36);
  const g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19;
  const g4_19 = g4 * 19, g5_19 = g5 * 19, g6_19 = g6 * 19;
  const g7_19 = g7 * 19, g8_19 = g8 * 19, g9_19 = g9 * 19;
  const f1_2 = f1 << 1, f3_2 = f3 << 1, f5_2 = f5 << 1, f7_2 = f7 << 1, f9_2 = f9 << 1;

  const h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19
    + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19
    + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  const h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19
    + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19
    + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  const h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0
    + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1
    + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  const h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2
    + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3
    + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  const h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4
    + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5
    + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(out, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/**
 * out = a^2. Inputs tight or loose, output tight. The product with its 45
 * symmetric cross terms counted once and doubled: 55 multiplies instead of 100.
 */
export function feSq(out: usize, a: usize): void {
  const f0 = <u64>load<u32>(a, 0), f1 = <u64>load<u32>(a, 4);
  const f2 = <u64>load<u32>(a, 8), f3 = <u64>load<u32>(a, 12);
  const f4 = <u64>load<u32>(a, 16), f5 = <u64>load<u32>(a, 20);
  const f6 = <u64>load<u32>(a, 24), f7 = <u64>load<u32>(a, 28);
  const f8 = <u64>load<u32>(a, 32), f9 = <u64>load<u32>(a, 36);
  const f0_2 = f0 << 1, f1_2 = f1 << 1, f2_2 = f2 << 1, f3_2 = f3 << 1;
  const f4_2 = f4 << 1, f5_2 = f5 << 1, f6_2 = f6 << 1, f7_2 = f7 << 1;
  const f5_38 = f5 * 38, f6_19 = f6 * 19, f7_38 = f7 * 38;
  const f8_19 = f8 * 19, f9_38 = f9 * 38;

  const h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
  const h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
  const h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
  const h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
  const h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
  const h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
  const h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  const h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
  const h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
  const h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  carryStore(out, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

// @ts-ignore: decorator
@inline function mulSmall(out: usize, a: usize, s: u64): void {
  carryStore(out,
    <u64>load<u32>(a, 0) * s, <u64>load<u32>(a, 4) * s,
    <u64>load<u32>(a, 8) * s, <u64>load<u32>(a, 12) * s,
    <u64>load<u32>(a, 16) * s, <u64>load<u32>(a, 20) * s,
    <u64>load<u32>(a, 24) * s, <u64>load<u32>(a, 28) * s,
    <u64>load<u32>(a, 32) * s, <u64>load<u32>(a, 36) * s);
}

/** out = a * 121666 (= a24 + 1, RFC 7748 §5 with a24 = 121665). Input tight or loose. */
export function feMul121666(out: usize, a: usize): void {
  mulSmall(out, a, 121666);
}

/** out = a * s for a small public or secret s < 2^32. Input tight or loose. */
export function feMulSmall(out: usize, a: usize, s: u32): void {
  mulSmall(out, a, <u64>s);
}

/** out = a^(2^n), n public. */
function feSqN(out: usize, a: usize, n: u32): void {
  feSq(out, a);
  for (let i: u32 = 1; i < n; i++) feSq(out, out);
}

// Common prefix of both exponentiations (ref10's addition chain):
// T0 = z^11, T1 = z^(2^250 - 1). 249 squarings, 11 multiplications.
function pow2250m1(z: usize): void {
  feSq(T0, z); //                 z^2
  feSqN(T1, T0, 2); //            z^8
  feMul(T1, z, T1); //            z^9
  feMul(T0, T0, T1); //           z^11
  feSq(T2, T0); //                z^22
  feMul(T1, T1, T2); //           z^(2^5 - 1)
  feSqN(T2, T1, 5);
  feMul(T1, T2, T1); //           z^(2^10 - 1)
  feSqN(T2, T1, 10);
  feMul(T2, T2, T1); //           z^(2^20 - 1)
  feSqN(T3, T2, 20);
  feMul(T2, T3, T2); //         z^(2^40 - 1)
  feSqN(T2, T2, 10);
  feMul(T1, T2, T1); //           z^(2^50 - 1)
  feSqN(T2, T1, 50);
  feMul(T2, T2, T1); //           z^(2^100 - 1)
  feSqN(T3, T2, 100);
  feMul(T2, T3, T2); //         z^(2^200 - 1)
  feSqN(T2, T2, 50);
  feMul(T1, T2, T1); //           z^(2^250 - 1)
}

/** out = a^(p-2) = 1/a (Fermat); 0 maps to 0. 254 squarings, 11 multiplications. */
export function feInvert(out: usize, a: usize): void {
  pow2250m1(a);
  feSqN(T1, T1, 5); //            z^(2^255 - 32)
  feMul(out, T1, T0); //          z^(2^255 - 21) = z^(p - 2)
  wipe(SCRATCH, SCRATCH_BYTES);
}

/** out = a^((p-5)/8) = a^(2^252 - 3), the core of square roots mod p (RFC 8032 §5.1.3). */
export function fePow22523(out: usize, a: usize): void {
  pow2250m1(a);
  feSqN(T1, T1, 2); //            z^(2^252 - 4)
  feMul(out, T1, a); //           z^(2^252 - 3)
  wipe(SCRATCH, SCRATCH_BYTES);
}

/**
 * out = the 32 little-endian bytes at src32, bit 255 ignored (RFC 7748 §5: "the
 * most significant bit ... MUST be masked"). Values in [p, 2^255) are accepted
 * as they are (non-canonical, reduced by later arithmetic), as RFC 7748 requires
 * for u-coordinates. Output tight (each limb exactly its width).
 */
export function feFromBytes(out: usize, src32: usize): void {
  const w0 = load<u64>(src32, 0), w1 = load<u64>(src32, 8);
  const w2 = load<u64>(src32, 16), w3 = load<u64>(src32, 24);
  store<u32>(out, <u32>(w0 & M26), 0); //                   bits   0..25
  store<u32>(out, <u32>((w0 >> 26) & M25), 4); //           bits  26..50
  store<u32>(out, <u32>(((w0 >> 51) | (w1 << 13)) & M26), 8); // 51..76
  store<u32>(out, <u32>((w1 >> 13) & M25), 12); //          bits  77..101
  store<u32>(out, <u32>((w1 >> 38) & M26), 16); //          bits 102..127
  store<u32>(out, <u32>(w2 & M25), 20); //                  bits 128..152
  store<u32>(out, <u32>((w2 >> 25) & M26), 24); //          bits 153..178
  store<u32>(out, <u32>(((w2 >> 51) | (w3 << 13)) & M25), 28); // 179..203
  store<u32>(out, <u32>((w3 >> 12) & M26), 32); //          bits 204..229
  store<u32>(out, <u32>((w3 >> 38) & M25), 36); //          bits 230..254
}

/**
 * dst32 = the canonical (fully reduced, < p) little-endian encoding of a.
 * a must be tight or loose. First carry so that limbs 0..8 are exact and the
 * value v < 2^255 + 2^231; then q = floor((v + 19) / 2^255) is 1 exactly when
 * v >= p, and v + 19q - q*2^255 = v - qp (ref10's fe_tobytes, unsigned).
 */
export function feToBytes(dst32: usize, a: usize): void {
  let h0 = <u64>load<u32>(a, 0), h1 = <u64>load<u32>(a, 4);
  let h2 = <u64>load<u32>(a, 8), h3 = <u64>load<u32>(a, 12);
  let h4 = <u64>load<u32>(a, 16), h5 = <u64>load<u32>(a, 20);
  let h6 = <u64>load<u32>(a, 24), h7 = <u64>load<u32>(a, 28);
  let h8 = <u64>load<u32>(a, 32), h9 = <u64>load<u32>(a, 36);
  // Loose limbs < 4W carry at most 4 out of each limb, so after one full pass
  // h0 < 2^26 + 19*4, and the second pass leaves limbs 0..8 exact, h9 <= 2^25.
  h1 += h0 >> 26; h0 &= M26;
  h2 += h1 >> 25; h1 &= M25;
  h3 += h2 >> 26; h2 &= M26;
  h4 += h3 >> 25; h3 &= M25;
  h5 += h4 >> 26; h4 &= M26;
  h6 += h5 >> 25; h5 &= M25;
  h7 += h6 >> 26; h6 &= M26;
  h8 += h7 >> 25; h7 &= M25;
  h9 += h8 >> 26; h8 &= M26;
  h0 += (h9 >> 25) * 19; h9 &= M25;
  h1 += h0 >> 26; h0 &= M26;
  h2 += h1 >> 25; h1 &= M25;
  h3 += h2 >> 26; h2 &= M26;
  h4 += h3 >> 25; h3 &= M25;
  h5 += h4 >> 26; h4 &= M26;
  h6 += h5 >> 25; h5 &= M25;
  h7 += h6 >> 26; h6 &= M26;
  h8 += h7 >> 25; h7 &= M25;
  h9 += h8 >> 26; h8 &= M26;

  let q = (h0 + 19) >> 26;
  q = (h1 + q) >> 25;
  q = (h2 + q) >> 26;
  q = (h3 + q) >> 25;
  q = (h4 + q) >> 26;
  q = (h5 + q) >> 25;
  q = (h6 + q) >> 26;
  q = (h7 + q) >> 25;
  q = (h8 + q) >> 26;
  q = (h9 + q) >> 25;

  h0 += q * 19;
  h1 += h0 >> 26; h0 &= M26;
  h2 += h1 >> 25; h1 &= M25;
  h3 += h2 >> 26; h2 &= M26;
  h4 += h3 >> 25; h3 &= M25;
  h5 += h4 >> 26; h4 &= M26;
  h6 += h5 >> 25; h5 &= M25;
  h7 += h6 >> 26; h6 &= M26;
  h8 += h7 >> 25; h7 &= M25;
  h9 += h8 >> 26; h8 &= M26;
  h9 &= M25; // drops q * 2^255

  store<u64>(dst32, h0 | (h1 << 26) | (h2 << 51), 0);
  store<u64>(dst32, (h2 >> 13) | (h3 << 13) | (h4 << 38), 8);
  store<u64>(dst32, h5 | (h6 << 25) | (h7 << 51), 16);
  store<u64>(dst32, (h7 >> 13) | (h8 << 12) | (h9 << 38), 24);
}

/** Swaps a and b when bit == 1, leaves them when bit == 0, in constant time. */
export function feCswap(a: usize, b: usize, bit: u32): void {
  const mask: u64 = 0 - <u64>(bit & 1);
  cswap64(a, b, 0, mask);
  cswap64(a, b, 8, mask);
  cswap64(a, b, 16, mask);
  cswap64(a, b, 24, mask);
  cswap64(a, b, 32, mask);
}

// One 64-bit word (two limbs) of feCswap.
// @ts-ignore: decorator
@inline function cswap64(a: usize, b: usize, off: usize, mask: u64): void {
  const x = load<u64>(a + off), y = load<u64>(b + off);
  const t = (x ^ y) & mask;
  store<u64>(a + off, x ^ t);
  store<u64>(b + off, y ^ t);
}

/** out = a when bit == 1, unchanged when bit == 0, in constant time. */
export function feCmov(out: usize, a: usize, bit: u32): void {
  const mask: u64 = 0 - <u64>(bit & 1);
  cmov64(out, a, 0, mask);
  cmov64(out, a, 8, mask);
  cmov64(out, a, 16, mask);
  cmov64(out, a, 24, mask);
  cmov64(out, a, 32, mask);
}

// One 64-bit word (two limbs) of feCmov.
// @ts-ignore: decorator
@inline function cmov64(out: usize, a: usize, off: usize, mask: u64): void {
  const o = load<u64>(out + off);
  store<u64>(out + off, o ^ ((o ^ load<u64>(a + off)) & mask));
}

/** Low bit of a's canonical encoding: RFC 8032's sign of x. 0 or 1. */
export function feIsNegative(a: usize): u32 {
  feToBytes(BYTES, a);
  const r = <u32>load<u8>(BYTES) & 1;
  wipe(BYTES, 32);
  return r;
}

/** 1 when a == 0 (mod p), else 0, in constant time. */
export function feIsZero(a: usize): u32 {
  feToBytes(BYTES, a);
  const acc = load<u64>(BYTES, 0) | load<u64>(BYTES, 8) | load<u64>(BYTES, 16) | load<u64>(BYTES, 24);
  wipe(BYTES, 32);
  // (acc | -acc) has its top bit set exactly when acc != 0.
  return <u32>(((acc | (0 - acc)) >> 63) ^ 1);
}
