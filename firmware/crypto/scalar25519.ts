// Arithmetic modulo L = 2^252 + 27742317777372353535851937790883648493, the
// order of the Ed25519 base point (RFC 8032 §5.1). Scalars are 32-byte
// little-endian strings.
//
// Constant time: the reduction is TweetNaCl's modL (radix 2^8 signed limbs,
// i64 arithmetic), whose loop bounds and memory indices are fixed and whose
// carries are arithmetic shifts, so the nonce r and the secret scalar s of a
// signature never steer a branch or an address.

import { wipe } from "./ct";

/** L in radix 2^8, little-endian (32 bytes). */
export const SC_ORDER: usize = memory.data<u8>([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

// 64 signed limbs of radix 2^8 (a 512-bit intermediate), computed in i64 and
// stored as i32: inputs are below 2^21 per limb, every folding step stores
// values in [-128, 128) plus a final carry far below 2^21, so no stored limb
// exceeds the input bound (checked over worst-case all-0xff products).
// Holds secrets: wiped by modL.
const X: usize = memory.data(64 * 4, 8);

// @ts-ignore: decorator
@inline function lx(i: i32): i64 { return <i64>load<i32>(X + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function sx(i: i32, v: i64): void { store<i32>(X + (<usize>i << 2), <i32>v); }
// @ts-ignore: decorator
@inline function ll(i: i32): i64 { return <i64>load<u8>(SC_ORDER + <usize>i); }

/**
 * Reduces the 64 limbs in X modulo L into 32 canonical bytes at `out`
 * (TweetNaCl modL). Each limb of X may hold up to about 2^21 in magnitude,
 * which covers a 512-bit hash (limbs < 2^8) and a 32x32-limb product plus a
 * scalar (limbs < 32 * 2^16 + 2^8). Wipes X.
 */
function modL(out: usize): void {
  // Fold limbs 63..32 down: 2^256 = 16 * 2^252 = -16 * (L - 2^252) mod L.
  for (let i = 63; i >= 32; i--) {
    const xi = lx(i);
    let carry: i64 = 0;
    let j = i - 32;
    for (; j < i - 12; j++) {
      let v = lx(j) + carry - 16 * xi * ll(j - (i - 32));
      carry = (v + 128) >> 8; // arithmetic shift: rounds to the nearest multiple
      v -= carry << 8;
      sx(j, v);
    }
    sx(j, lx(j) + carry);
    sx(i, 0);
  }
  // Subtract floor(X / 2^252) * L, leaving a value in [0, L) after the
  // last conditional-free correction below.
  let carry: i64 = 0;
  const top = lx(31) >> 4;
  for (let j = 0; j < 32; j++) {
    const v = lx(j) + carry - top * ll(j);
    carry = v >> 8;
    sx(j, v & 255);
  }
  for (let j = 0; j < 32; j++) sx(j, lx(j) - carry * ll(j));
  for (let i = 0; i < 32; i++) {
    const v = lx(i);
    sx(i + 1, lx(i + 1) + (v >> 8));
    store<u8>(out + <usize>i, <u8>(v & 255));
  }
  wipe(X, 64 * 4);
}

/** out = in mod L, for a 64-byte little-endian `in` (a SHA-512 digest). out may alias in. */
export function scReduce(out: usize, input: usize): void {
  for (let i = 0; i < 64; i++) sx(i, <i64>load<u8>(input + <usize>i));
  modL(out);
}

/** out = in mod L, for a 32-byte little-endian `in` (a clamped key). out may alias in. */
export function scReduce32(out: usize, input: usize): void {
  for (let i = 0; i < 32; i++) sx(i, <i64>load<u8>(input + <usize>i));
  for (let i = 32; i < 64; i++) sx(i, 0);
  modL(out);
}

/**
 * out = a * b + c mod L (RFC 8032 §5.1.6 step 6: S = r + k * s). All inputs
 * are 32-byte scalars below 2^256; out may alias any of them.
 */
export function scMulAdd(out: usize, a: usize, b: usize, c: usize): void {
  for (let i = 0; i < 32; i++) sx(i, <i64>load<u8>(c + <usize>i));
  for (let i = 32; i < 64; i++) sx(i, 0);
  for (let i = 0; i < 32; i++) {
    const ai = <i64>load<u8>(a + <usize>i);
    for (let j = 0; j < 32; j++) {
      sx(i + j, lx(i + j) + ai * <i64>load<u8>(b + <usize>j));
    }
  }
  modL(out);
}

/**
 * Returns 1 when the 32-byte little-endian `s` is below L (a canonical
 * scalar, RFC 8032 §5.1.7 step 1 / §8.4 malleability), else 0. Constant time
 * although verification only needs it on public S.
 */
export function scIsCanonical(s: usize): u32 {
  // Borrow out of s - L: 1 exactly when s < L.
  let borrow: i32 = 0;
  for (let i = 0; i < 32; i++) {
    borrow = (<i32>load<u8>(s + <usize>i) - <i32>load<u8>(SC_ORDER + <usize>i) - borrow) >>> 31;
  }
  return <u32>borrow;
}
