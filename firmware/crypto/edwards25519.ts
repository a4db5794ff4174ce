// The twisted Edwards curve edwards25519 (RFC 8032 §5.1): -x^2 + y^2 = 1 + d x^2 y^2
// over GF(2^255 - 19), in extended coordinates (X : Y : Z : T) with x = X/Z,
// y = Y/Z, xy = T/Z (Hisil-Wong-Carter-Dawson 2008). The formulas are ref10's
// and complete on this curve (a = -1 is a square, d is not), so doubling, the
// identity and P + (-P) need no special case and no branch.
//
// Constant time unless marked: geScalarMultBase handles the secret scalars of
// Ed25519 (the key s and the nonce r). Decoding and the double-scalar
// multiplication only ever see public data (keys, signatures) and are marked
// VARIABLE TIME.

import {
  FE_BYTES, feOne, feZero, feCopy, feAdd, feSub, feNeg, feMul, feSq, feInvert, fePow22523,
  feFromBytes, feToBytes, feCswap, feIsNegative, feIsZero,
} from "./field25519";
import { SC_ORDER, scReduce32 } from "./scalar25519";
import { ctIsZeroMask32, wipe } from "./ct";

/** Bytes of a point in extended coordinates (X, Y, Z, T). */
export const GE_BYTES: usize = 4 * FE_BYTES;

// Coordinate offsets inside a point. A "cached" point (Y+X, Y-X, Z, 2dT) uses
// the same four slots; an affine "niels" point (y+x, y-x, 2dxy) the first three.
const PX: usize = 0;
const PY: usize = FE_BYTES;
const PZ: usize = 2 * FE_BYTES;
const PT: usize = 3 * FE_BYTES;

// d = -121665/121666, 2d, d/2 (RFC 8032 §5.1) and sqrt(-1) = 2^((p-1)/4), little-endian.
const D_BYTES: usize = memory.data<u8>([
  0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
  0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
]);
const D2_BYTES: usize = memory.data<u8>([
  0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
  0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24,
]);
const DHALF_BYTES: usize = memory.data<u8>([
  0x48, 0xbc, 0xac, 0x09, 0xe5, 0xa6, 0xf5, 0xba, 0x55, 0xec, 0xa0, 0xa0, 0x26, 0x05, 0x38, 0x00,
  0x4c, 0xf4, 0xbc, 0xbb, 0x3c, 0xa0, 0x63, 0xc6, 0x39, 0xff, 0xb7, 0x15, 0x77, 0xb6, 0x01, 0x69,
]);
const SQRTM1_BYTES: usize = memory.data<u8>([
  0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
  0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
]);

// Fixed-base comb (Lim-Lee with signed digits, Hamburg's "signed all-bits-set"
// comb): an odd scalar m < 2^255 is written as sum_{i<255} b_i 2^i with every
// b_i in {-1, +1}. Column j (0..50) gathers b_{51t + j} for the five teeth t
// and is worth
//   sigma * (2^204 + sum_{t<4} sigma * b_{51t+j} 2^{51t}) B,   sigma = b_{204+j},
// so 16 entries (the sign folded out) cover all 32 column values, and
// [m]B = sum_j 2^j column_j takes 50 doublings and 51 mixed additions.
// Entry e holds [2^204 + sum_{t<4} (2 e_t - 1) 2^{51t}]B as two canonical
// 32-byte field elements y+x, y-x (1 KiB in all; 2dxy = (d/2)((y+x)^2 - (y-x)^2)
// is recomputed, trading 3 multiplies per addition for a third less RAM).
// COMB_TEETH = 4 (spacing 64, 8 entries, 512 bytes) also works unchanged: it
// saves 512 bytes of RAM for about 12% slower signing. Regenerate with
// @noble/curves (T = teeth, D = spacing, P = 2^255 - 19):
//   for e in 0 .. 2^(T-1) - 1:
//     k = 2^((T-1) D) + sum_{t<T-1} (bit t of e ? 1 : -1) 2^(t D)
//     {x, y} = ed25519.Point.BASE.multiply(k).toAffine()
//     emit (y + x) mod P, (y - x) mod P as four little-endian u64 each
// Every signature test exercises all entries in both signs.
const COMB_TEETH: i32 = 5;
const COMB_SPACING: i32 = 51;
const COMB_ENTRIES: i32 = 1 << (COMB_TEETH - 1);
const COMB_ENTRY_BYTES: usize = 64;
const COMB: usize = memory.data<u64>([
  0x8eba61b90c27e968, 0xde6b832562c20866, 0xee9ef016cc161575, 0x53af08345dadcfde,
  0x16db9261948767a5, 0x6133e34d3469a68a, 0x1dc88dcdee40c11b, 0x422de448991acfe7,
  0x75e92411c7ec9a68, 0xd83132b47c93b1c3, 0x2d026c2940ec68d8, 0x33325b4f2a5b2d1f,
  0x0123ac6283e41bb9, 0x6c597569790b011f, 0x9676347cf1e94f01, 0x7ba0dc7c651e9dc7,
  0x171ced28b270a9f8, 0x64cd4b742db90490, 0xa3a7761ab0f8daed, 0x0f39997132502e33,
  0x4aa52d09022cba46, 0x43014c61776c9a99, 0xe5cd8bf0b3e9e196, 0x3b6f8f9c4538d6ba,
  0x52107787ee752d89, 0x9c704bed49fd2945, 0xb28c543803ffb762, 0x57cf8904bda13946,
  0xbad32ec1271972d1, 0x7446f41af49058f6, 0x04c7f8a9041bef43, 0x1e9c31f2bc856478,
  0x265e3eeb832bf317, 0x81650bc12d691a37, 0xd0a8c363f699d11d, 0x096eb0811f488523,
  0x5119578c617f4b3c, 0x029bbe6e4d0484db, 0xe0770c61c1226518, 0x4d7116c15d724827,
  0xd1c304d7b801174f, 0x594bbff0091537e3, 0x4d93d956f73b3159, 0x3a8176f00cf3155c,
  0x67d84dec4b7ff890, 0xdcb75aa7b4eba910, 0x289a140ca540dccb, 0x7b510c1215905970,
  0xae38f7cb21a20e0f, 0xd78e1410ea866b3d, 0x082547cec16072e5, 0x75b7b4de56328b64,
  0x7b350d37e5923fed, 0x1af81a9cebd78443, 0xf2fdc6a74591840b, 0x79a07f9daa4103e4,
  0x430fd59bf3cbd79c, 0xf870812965ab011b, 0x1b72d49b2b6d6c0b, 0x6eea0e68274a71e0,
  0xd13d5fd9f3a95fb0, 0x3859ca73bfe95f67, 0x56c69a350c1beafd, 0x04f6f0eeaa2ad869,
  0x61a15202f7bc1f8c, 0x3b4bff1abc211db5, 0xfbdf25ffc6f4be23, 0x2035e02b1c34bc2e,
  0x8ae2f3d4700e4c73, 0xb8681f0e7565b539, 0x5a0fb91724d2c62b, 0x57b58e0afa441670,
  0xfe73c14bb1efd64c, 0xf3bd6f625af9e10b, 0x92c7a70815c27ec4, 0x2d7f437e36d93614,
  0x65e3822ecdabac8b, 0x692595bc9e28fcdf, 0x39b861b68d70f4a6, 0x1d37f1efd515743a,
  0x5202fe35b198a05d, 0xb5d03ef83bc13464, 0x67029f10b7328bc3, 0x265c446f7568f3bb,
  0x8f795bfbe0cff420, 0x2bb8c656c3f6c23a, 0xf72bcbe046a3416e, 0x47a0d7b81cf9bff1,
  0x01f79bf364593ce0, 0x18bc336991805b04, 0xab069f2af9a60b9c, 0x36d93b6dab6c4047,
  0xcd64ef2422ae69fb, 0x7626878315e885b4, 0xb62d6609632508f1, 0x4555a463ebb6d3fd,
  0xd122fd2df9e90bf8, 0xcd2341ace4f88463, 0xa5751cb18bbebf4c, 0x59f9cee1ab7186f1,
  0x2a4fe339d8046d53, 0x630b3c7aefafa437, 0x51f7236b6b4f5450, 0x16e6ce9d38e8569a,
  0x60a684667d67218e, 0x729d9848b9cc2018, 0xd947bb847e6d4cc9, 0x479ee9ca73f6a06b,
  0xb58d439c8698b1a6, 0x5706b651e15eda51, 0x0aa32cd82fa8e77a, 0x07dcd6d39f1e2463,
  0x4d153e828b83be06, 0x1690531b4331c785, 0xf21f1dd5ad012248, 0x3f370805deb4f397,
  0xffd1ad7e54943e7c, 0x654cca6a0e10576c, 0x6350addc4bc9808d, 0x24fb2b02aa6d6943,
  0x10fd567b045ec7f4, 0xd6b76cc547b7cbb7, 0x4013f58b66b5ed68, 0x5e3829b37304f1d6,
  0x9fbe7e5070e2d0a6, 0x130de0f073f7ffff, 0x9157feb871e802d0, 0x4cbb7dcd3d17046b,
]);

// Field scratch for the point formulas. Every function below finishes reading
// its inputs before it writes its output, so outputs may alias inputs.
const F0: usize = memory.data(<i32>FE_BYTES * 6, 8);
const F1: usize = F0 + FE_BYTES;
const F2: usize = F0 + 2 * FE_BYTES;
const F3: usize = F0 + 3 * FE_BYTES;
const F4: usize = F0 + 4 * FE_BYTES;
const F5: usize = F0 + 5 * FE_BYTES;

// WORK is shared by steps that are never live at the same time (RAM is the
// scarce resource: the whole core must fit in 16 KiB):
// - geScalarMultBase: the recoded scalar, the selected entry and its niels form;
// - geDoubleScalarMultVartime: the odd multiples of the variable point, dead
//   before it calls geScalarMultBase;
// - geHasSmallOrder: one point; geDecode: one encoding.
// WINDOW >= 2 keeps WORK (320 bytes) above the 216 the comb needs.
const WINDOW: i32 = 2; // sliding-window width for [a]P in verification
const ODD_MULTIPLES: i32 = 1 << (WINDOW - 1); // P, 3P
const WORK: usize = memory.data(<i32>GE_BYTES * ODD_MULTIPLES, 8);
const DIGITS: usize = WORK; //                      32 bytes
const SEL: usize = WORK + 32; //                    COMB_ENTRY_BYTES
const NIELS: usize = SEL + COMB_ENTRY_BYTES; //    3 field elements
const ODD: usize = WORK;
const TMP: usize = WORK;
const ENC: usize = WORK;
// The accumulator of [a]P, live across the call to geScalarMultBase.
const ACC: usize = memory.data(<i32>GE_BYTES, 8);

/** p = the neutral element (0, 1). */
export function geIdentity(p: usize): void {
  feZero(p + PX);
  feOne(p + PY);
  feOne(p + PZ);
  feZero(p + PT);
}

/** r = -p. */
export function geNeg(r: usize, p: usize): void {
  feNeg(r + PX, p + PX);
  feCopy(r + PY, p + PY);
  feCopy(r + PZ, p + PZ);
  feNeg(r + PT, p + PT);
}

// Completes an addition or doubling from its "p1p1" intermediates
// (x = e/f, y = h/g in ref10's naming, with X = e, Y = h, Z = g, T = f):
// 4 multiplications. Skips T when the caller only doubles next (public flag).
// @ts-ignore: decorator
@inline function finish(r: usize, e: usize, h: usize, g: usize, f: usize, needT: bool): void {
  if (needT) feMul(r + PT, e, h);
  feMul(r + PX, e, f);
  feMul(r + PY, h, g);
  feMul(r + PZ, g, f);
}

/**
 * r = 2p (dbl-2008-hwcd, a = -1; ref10 ge_p2_dbl): 4 squarings, 4 multiplies.
 * Reads only X, Y, Z of p, so p's T may be stale. With needT false (a public
 * flag), r's T is left stale too: only valid when r is next doubled again.
 */
export function geDouble(r: usize, p: usize, needT: bool): void {
  feSq(F0, p + PX); //             X^2
  feSq(F1, p + PY); //             Y^2
  feSq(F2, p + PZ);
  feAdd(F2, F2, F2); //            2Z^2
  feAdd(F3, p + PX, p + PY);
  feSq(F3, F3); //                 (X + Y)^2
  feAdd(F4, F1, F0); //            h = Y^2 + X^2
  feSub(F5, F1, F0); //            g = Y^2 - X^2
  feSub(F3, F3, F4); //            e = 2XY
  feSub(F2, F2, F5); //            f = 2Z^2 - g
  finish(r, F3, F4, F5, F2, needT);
}

/**
 * r = p + q for q in cached form (Y+X, Y-X, Z, 2dT), or p - q when sub
 * (a public flag). add-2008-hwcd-3 / ref10 ge_add: 9 multiplies.
 */
function geAddCached(r: usize, p: usize, q: usize, sub: bool): void {
  feAdd(F0, p + PY, p + PX);
  feSub(F1, p + PY, p + PX);
  if (sub) {
    feMul(F0, F0, q + PY); //      -q swaps Y+X and Y-X
    feMul(F1, F1, q + PX);
  } else {
    feMul(F0, F0, q + PX);
    feMul(F1, F1, q + PY);
  }
  feMul(F2, p + PT, q + PT); //    C = 2d T1 T2
  feMul(F3, p + PZ, q + PZ);
  feAdd(F3, F3, F3); //            D = 2 Z1 Z2
  feSub(F4, F0, F1); //            e
  feAdd(F5, F0, F1); //            h
  if (sub) {
    feSub(F0, F3, F2); //          g
    feAdd(F1, F3, F2); //          f
  } else {
    feAdd(F0, F3, F2);
    feSub(F1, F3, F2);
  }
  finish(r, F4, F5, F0, F1, true);
}

/** c = p in cached form (Y+X, Y-X, Z, 2dT), for repeated additions of p. c may alias p. */
function geToCached(c: usize, p: usize): void {
  feFromBytes(F0, D2_BYTES);
  feMul(c + PT, p + PT, F0);
  feCopy(c + PZ, p + PZ);
  feSub(F0, p + PY, p + PX); // before c + PX is written
  feAdd(c + PX, p + PY, p + PX);
  feCopy(c + PY, F0);
}

/** r = p + q for q = (y+x, y-x, 2dxy) affine (ref10 ge_madd): 7 multiplies. */
function geAddNiels(r: usize, p: usize, q: usize): void {
  feAdd(F0, p + PY, p + PX);
  feSub(F1, p + PY, p + PX);
  feMul(F0, F0, q + PX);
  feMul(F1, F1, q + PY);
  feMul(F2, p + PT, q + PZ); //    C = 2d T1 x2 y2 (Z2 = 1)
  feAdd(F3, p + PZ, p + PZ); //    D = 2 Z1
  feSub(F4, F0, F1);
  feAdd(F5, F0, F1);
  feAdd(F0, F3, F2);
  feSub(F1, F3, F2);
  finish(r, F4, F5, F0, F1, true);
}

/**
 * NIELS = comb entry `idx` in niels form, negated when `neg` is 1. Both are
 * secret: every entry is read and masked in (no secret-dependent address),
 * and -(x, y) = (-x, y) just swaps y+x and y-x, which also flips the sign of
 * the recomputed 2dxy = (d/2)((y+x)^2 - (y-x)^2).
 */
function combSelect(idx: u32, neg: u32): void {
  let w0: u64 = 0, w1: u64 = 0, w2: u64 = 0, w3: u64 = 0;
  let w4: u64 = 0, w5: u64 = 0, w6: u64 = 0, w7: u64 = 0;
  for (let e = 0; e < COMB_ENTRIES; e++) {
    const m32 = ctIsZeroMask32(<u32>e ^ idx);
    const m = (<u64>m32 << 32) | <u64>m32;
    const q = COMB + <usize>e * COMB_ENTRY_BYTES;
    w0 |= load<u64>(q, 0) & m; w1 |= load<u64>(q, 8) & m;
    w2 |= load<u64>(q, 16) & m; w3 |= load<u64>(q, 24) & m;
    w4 |= load<u64>(q, 32) & m; w5 |= load<u64>(q, 40) & m;
    w6 |= load<u64>(q, 48) & m; w7 |= load<u64>(q, 56) & m;
  }
  store<u64>(SEL, w0, 0); store<u64>(SEL, w1, 8); store<u64>(SEL, w2, 16); store<u64>(SEL, w3, 24);
  store<u64>(SEL, w4, 32); store<u64>(SEL, w5, 40); store<u64>(SEL, w6, 48); store<u64>(SEL, w7, 56);
  feFromBytes(NIELS + PX, SEL);
  feFromBytes(NIELS + PY, SEL + 32);
  feCswap(NIELS + PX, NIELS + PY, neg);
  feSq(F0, NIELS + PX);
  feSq(F1, NIELS + PY);
  feSub(F0, F0, F1);
  feFromBytes(F1, DHALF_BYTES);
  feMul(NIELS + PZ, F0, F1);
}

// Bit `pos` (public) of the 32-byte little-endian DIGITS.
// @ts-ignore: decorator
@inline function digitBit(pos: i32): u32 {
  return (<u32>load<u8>(DIGITS + <usize>(pos >> 3)) >> <u32>(pos & 7)) & 1;
}

/**
 * r = [k]B for a 32-byte little-endian k (any value: reduced mod L first).
 * Constant time in k: fixed operation sequence, masked table scans, no
 * secret-dependent branch or index. Wipes its scratch.
 */
export function geScalarMultBase(r: usize, k: usize): void {
  scReduce32(DIGITS, k);
  // The signed comb needs an odd scalar: m = k + L when k is even (L is
  // odd), which is the same multiple of B. m < 2L < 2^254.
  const mask = <u32>0 - ((<u32>load<u8>(DIGITS) & 1) ^ 1);
  let carry: u32 = 0;
  for (let i: usize = 0; i < 32; i++) {
    const v = <u32>load<u8>(DIGITS + i) + (<u32>load<u8>(SC_ORDER + i) & mask) + carry;
    store<u8>(DIGITS + i, <u8>v);
    carry = v >> 8;
  }
  // m = sum_{i<n} (2 c_i - 1) 2^i = 2c - (2^n - 1) for the bits c_i of
  // c = (m - 1)/2 + 2^(n-1), n = COMB_TEETH * COMB_SPACING (255 or 256).
  // m is odd, so (m - 1)/2 is m shifted right by one; (m - 1)/2 < 2^253, so
  // adding 2^(n-1) just sets that bit.
  for (let i: usize = 0; i < 31; i++) {
    store<u8>(DIGITS + i, <u8>((<u32>load<u8>(DIGITS + i) >> 1) | (<u32>load<u8>(DIGITS + i + 1) << 7)));
  }
  store<u8>(DIGITS + 31, <u8>((<u32>load<u8>(DIGITS + 31) >> 1) | (1 << ((COMB_TEETH * COMB_SPACING - 1) & 7))));

  geIdentity(r);
  for (let j = COMB_SPACING - 1; j >= 0; j--) {
    if (j != COMB_SPACING - 1) geDouble(r, r, true);
    const top = digitBit((COMB_TEETH - 1) * COMB_SPACING + j);
    let idx: u32 = 0;
    for (let t = 0; t < COMB_TEETH - 1; t++) {
      idx |= (digitBit(t * COMB_SPACING + j) ^ top ^ 1) << <u32>t;
    }
    combSelect(idx, top ^ 1);
    geAddNiels(r, r, NIELS);
  }
  wipe(WORK, 32 + COMB_ENTRY_BYTES + 3 * FE_BYTES);
  wipe(F0, 6 * FE_BYTES);
}

/**
 * dst = the 32-byte encoding of p (RFC 8032 §5.1.2): canonical y, sign of x in
 * bit 255. Constant time.
 */
export function geEncode(dst: usize, p: usize): void {
  feInvert(F0, p + PZ);
  feMul(F1, p + PX, F0);
  feMul(F2, p + PY, F0);
  const sign = feIsNegative(F1);
  feToBytes(dst, F2);
  store<u8>(dst + 31, <u8>(<u32>load<u8>(dst + 31) | (sign << 7)));
  wipe(F0, 3 * FE_BYTES);
}

/**
 * p = the point encoded at src (RFC 8032 §5.1.3). Returns 1 on success, 0 when
 * src is not the canonical encoding of a curve point: y >= p, x^2 not a
 * square, or x = 0 with the sign bit set. VARIABLE TIME: inputs are public
 * (keys and signatures).
 */
export function geDecode(p: usize, src: usize): u32 {
  feFromBytes(p + PY, src);
  // Canonical y: re-encoding must give back the same 255 bits.
  feToBytes(ENC, p + PY);
  store<u8>(ENC + 31, <u8>(<u32>load<u8>(ENC + 31) | (<u32>load<u8>(src + 31) & 0x80)));
  if (memory.compare(ENC, src, 32) != 0) return 0;
  feOne(p + PZ);
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; candidate x = u v^3 (u v^7)^((p-5)/8).
  feSq(F0, p + PY);
  feFromBytes(F1, D_BYTES);
  feMul(F1, F1, F0);
  feSub(F0, F0, p + PZ); //         u
  feAdd(F1, F1, p + PZ); //         v
  feSq(F2, F1);
  feMul(F2, F2, F1); //             v^3
  feSq(F3, F2);
  feMul(F3, F3, F1);
  feMul(F3, F3, F0); //             u v^7
  fePow22523(F3, F3);
  feMul(F3, F3, F2);
  feMul(p + PX, F3, F0); //         x = u v^3 (u v^7)^((p-5)/8)
  feSq(F2, p + PX);
  feMul(F2, F2, F1); //             v x^2
  feSub(F3, F2, F0);
  if (!feIsZero(F3)) {
    feAdd(F3, F2, F0);
    if (!feIsZero(F3)) return 0; // v x^2 = -u must hold now, else no root
    feFromBytes(F3, SQRTM1_BYTES);
    feMul(p + PX, p + PX, F3);
  }
  const sign = <u32>load<u8>(src + 31) >> 7;
  if (feIsZero(p + PX) & sign) return 0;
  if (feIsNegative(p + PX) != sign) feNeg(p + PX, p + PX);
  feMul(p + PT, p + PX, p + PY);
  return 1;
}

/**
 * Returns 1 when p has small order ([8]p is the identity: the eight points of
 * the torsion subgroup), else 0. Only the identity and (0, -1) have x = 0, and
 * the latter doubles to the identity, so X([8]p) = 0 decides it.
 */
export function geHasSmallOrder(p: usize): u32 {
  geDouble(TMP, p, false);
  geDouble(TMP, TMP, false);
  geDouble(TMP, TMP, false);
  return feIsZero(TMP + PX);
}

// Bit i of the 32-byte little-endian scalar at k (public).
// @ts-ignore: decorator
@inline function scalarBit(k: usize, i: i32): i32 {
  return (<i32>load<u8>(k + <usize>(i >> 3)) >> (i & 7)) & 1;
}

/**
 * r = [a]p + [b]B for 32-byte scalars a and b, for the verification equation
 * R = [S]B + [k](-A). VARIABLE TIME: inputs are public. r may alias p.
 * [a]p: left-to-right sliding window of WINDOW bits over the odd multiples
 * p, 3p (one doubling per bit, an addition every WINDOW + 1 bits on average),
 * no recoded-digit buffer; [b]B: the comb.
 */
export function geDoubleScalarMultVartime(r: usize, a: usize, p: usize, b: usize): void {
  // ODD[i] = (2i + 1)p in cached form.
  geToCached(ODD, p);
  if (ODD_MULTIPLES > 1) {
    geDouble(ACC, p, true);
    for (let i = 1; i < ODD_MULTIPLES; i++) {
      const cur = ODD + <usize>i * GE_BYTES;
      geAddCached(cur, ACC, cur - GE_BYTES, false);
      geToCached(cur, cur);
    }
  }
  geIdentity(ACC);
  let i = 255;
  while (i >= 0 && scalarBit(a, i) == 0) i--;
  while (i >= 0) {
    if (scalarBit(a, i) == 0) {
      geDouble(ACC, ACC, i == 0);
      i--;
      continue;
    }
    // Window [j, i]: at most WINDOW bits, ending in a set bit, so its value is odd.
    let j = i - WINDOW + 1;
    if (j < 0) j = 0;
    while (scalarBit(a, j) == 0) j++;
    let digit = 0;
    for (let t = i; t >= j; t--) {
      digit = (digit << 1) | scalarBit(a, t);
      geDouble(ACC, ACC, t == j);
    }
    geAddCached(ACC, ACC, ODD + <usize>(digit >> 1) * GE_BYTES, false);
    i = j - 1;
  }
  geScalarMultBase(r, b);
  geToCached(r, r);
  geAddCached(r, ACC, r, false);
}
