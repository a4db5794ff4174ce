// SHA-256 (FIPS 180-4 §6.2), streaming, no allocation.
//
// Constant time: the compression function is straight-line add/and/xor/rotate
// code; the only branches and memory offsets depend on the message LENGTH
// (public by contract), never on its contents.

import { load32be, store32be, wipe } from "./ct";
import { accelSha256 } from "./accel";

/** Digest size. */
export const SHA256_HASH_BYTES: usize = 32;
/** Block size (the HMAC key block too). */
export const SHA256_BLOCK_BYTES: usize = 64;
/**
 * Context size: chaining state (8 x u32, native order) at 0, block buffer at
 * 32, total byte count (u64) at 96. A 64-bit byte count covers every message a
 * 32-bit address space can hold; FIPS 180-4 caps the bit length at 2^64.
 */
export const SHA256_CTX_BYTES: usize = 104;

const STATE: usize = 0;
const BUF: usize = 32;
const COUNT: usize = 96;

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots
// of the first 64 primes. Indexed only by the (public) round number.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: initial hash value.
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// Context for the one-shot sha256(); wiped on every return.
const ONE_SHOT: usize = memory.data(<i32>SHA256_CTX_BYTES, 8);

// FIPS 180-4 §4.1.2. Ch and Maj in their branch-free boolean forms.
// @ts-ignore: decorator
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u32, y: u32, z: u32): u32 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function bigSigma0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline function bigSigma1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
// @ts-ignore: decorator
@inline function smallSigma0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
// @ts-ignore: decorator
@inline function smallSigma1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }

/**
 * Compresses `blocks` consecutive 64-byte blocks at `p` into the state at `st`.
 * Sixteen rounds are unrolled so the working variables rotate by renaming and
 * the message schedule lives in sixteen locals, updated in place (W[t] and
 * W[t-16] share a slot), so no schedule scratch memory holds message bytes.
 */
function compress(st: usize, p: usize, blocks: usize): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  let e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
  const end = p + (blocks << 6);
  while (p < end) {
    let w0 = load32be(p), w1 = load32be(p + 4), w2 = load32be(p + 8), w3 = load32be(p + 12);
    let w4 = load32be(p + 16), w5 = load32be(p + 20), w6 = load32be(p + 24), w7 = load32be(p + 28);
    let w8 = load32be(p + 32), w9 = load32be(p + 36), w10 = load32be(p + 40), w11 = load32be(p + 44);
    let w12 = load32be(p + 48), w13 = load32be(p + 52), w14 = load32be(p + 56), w15 = load32be(p + 60);
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    for (let k = K; ; k += 64) {
      h += bigSigma1(e) + ch(e, f, g) + load<u32>(k, 0) + w0; d += h; h += bigSigma0(a) + maj(a, b, c);
      g += bigSigma1(d) + ch(d, e, f) + load<u32>(k, 4) + w1; c += g; g += bigSigma0(h) + maj(h, a, b);
      f += bigSigma1(c) + ch(c, d, e) + load<u32>(k, 8) + w2; b += f; f += bigSigma0(g) + maj(g, h, a);
      e += bigSigma1(b) + ch(b, c, d) + load<u32>(k, 12) + w3; a += e; e += bigSigma0(f) + maj(f, g, h);
      d += bigSigma1(a) + ch(a, b, c) + load<u32>(k, 16) + w4; h += d; d += bigSigma0(e) + maj(e, f, g);
      c += bigSigma1(h) + ch(h, a, b) + load<u32>(k, 20) + w5; g += c; c += bigSigma0(d) + maj(d, e, f);
      b += bigSigma1(g) + ch(g, h, a) + load<u32>(k, 24) + w6; f += b; b += bigSigma0(c) + maj(c, d, e);
      a += bigSigma1(f) + ch(f, g, h) + load<u32>(k, 28) + w7; e += a; a += bigSigma0(b) + maj(b, c, d);
      h += bigSigma1(e) + ch(e, f, g) + load<u32>(k, 32) + w8; d += h; h += bigSigma0(a) + maj(a, b, c);
      g += bigSigma1(d) + ch(d, e, f) + load<u32>(k, 36) + w9; c += g; g += bigSigma0(h) + maj(h, a, b);
      f += bigSigma1(c) + ch(c, d, e) + load<u32>(k, 40) + w10; b += f; f += bigSigma0(g) + maj(g, h, a);
      e += bigSigma1(b) + ch(b, c, d) + load<u32>(k, 44) + w11; a += e; e += bigSigma0(f) + maj(f, g, h);
      d += bigSigma1(a) + ch(a, b, c) + load<u32>(k, 48) + w12; h += d; d += bigSigma0(e) + maj(e, f, g);
      c += bigSigma1(h) + ch(h, a, b) + load<u32>(k, 52) + w13; g += c; c += bigSigma0(d) + maj(d, e, f);
      b += bigSigma1(g) + ch(g, h, a) + load<u32>(k, 56) + w14; f += b; b += bigSigma0(c) + maj(c, d, e);
      a += bigSigma1(f) + ch(f, g, h) + load<u32>(k, 60) + w15; e += a; a += bigSigma0(b) + maj(b, c, d);
      if (k == K + 192) break;
      // Next sixteen schedule words (§6.2.2 step 1).
      w0 += smallSigma1(w14) + w9 + smallSigma0(w1);
      w1 += smallSigma1(w15) + w10 + smallSigma0(w2);
      w2 += smallSigma1(w0) + w11 + smallSigma0(w3);
      w3 += smallSigma1(w1) + w12 + smallSigma0(w4);
      w4 += smallSigma1(w2) + w13 + smallSigma0(w5);
      w5 += smallSigma1(w3) + w14 + smallSigma0(w6);
      w6 += smallSigma1(w4) + w15 + smallSigma0(w7);
      w7 += smallSigma1(w5) + w0 + smallSigma0(w8);
      w8 += smallSigma1(w6) + w1 + smallSigma0(w9);
      w9 += smallSigma1(w7) + w2 + smallSigma0(w10);
      w10 += smallSigma1(w8) + w3 + smallSigma0(w11);
      w11 += smallSigma1(w9) + w4 + smallSigma0(w12);
      w12 += smallSigma1(w10) + w5 + smallSigma0(w13);
      w13 += smallSigma1(w11) + w6 + smallSigma0(w14);
      w14 += smallSigma1(w12) + w7 + smallSigma0(w15);
      w15 += smallSigma1(w13) + w8 + smallSigma0(w0);
    }
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
    p += 64;
  }
  store<u32>(st, a, 0); store<u32>(st, b, 4); store<u32>(st, c, 8); store<u32>(st, d, 12);
  store<u32>(st, e, 16); store<u32>(st, f, 20); store<u32>(st, g, 24); store<u32>(st, h, 28);
}

/** Starts a SHA-256 computation in the `SHA256_CTX_BYTES` context at `ctx`. */
export function sha256Init(ctx: usize): void {
  memory.copy(ctx + STATE, IV, 32);
  store<u64>(ctx, 0, COUNT);
}

/** Absorbs `len` bytes at `data`. Any length, any number of calls. */
export function sha256Update(ctx: usize, data: usize, len: usize): void {
  const count = load<u64>(ctx, COUNT);
  store<u64>(ctx, count + <u64>len, COUNT);
  let used = <usize>count & 63;
  if (used != 0) {
    const room: usize = 64 - used;
    if (len < room) {
      memory.copy(ctx + BUF + used, data, len);
      return;
    }
    memory.copy(ctx + BUF + used, data, room);
    compress(ctx + STATE, ctx + BUF, 1);
    data += room;
    len -= room;
  }
  // Whole blocks straight from the caller's buffer: no copy.
  const blocks = len >>> 6;
  if (blocks != 0) compress(ctx + STATE, data, blocks);
  memory.copy(ctx + BUF, data + (blocks << 6), len & 63);
}

/** Writes the 32-byte digest to `out` and wipes the context. */
export function sha256Final(ctx: usize, out: usize): void {
  const count = load<u64>(ctx, COUNT);
  const buf = ctx + BUF;
  // §5.1.1 padding: 0x80, zeros to 56 mod 64, then the bit length, big-endian.
  let used = <usize>count & 63;
  store<u8>(buf + used, 0x80);
  used++;
  if (used > 56) {
    memory.fill(buf + used, 0, 64 - used);
    compress(ctx + STATE, buf, 1);
    used = 0;
  }
  memory.fill(buf + used, 0, 56 - used);
  store32be(buf + 56, <u32>(count >>> 29));
  store32be(buf + 60, <u32>count << 3);
  compress(ctx + STATE, buf, 1);
  for (let i: usize = 0; i < 32; i += 4) store32be(out + i, load<u32>(ctx + STATE + i));
  wipe(ctx, SHA256_CTX_BYTES);
}

/**
 * One-shot SHA-256 of `len` bytes at `data` into the 32 bytes at `out` (which
 * may alias data). A board with a SHA-256 accelerator (HAL_CAP_SHA256) hashes
 * instead: its hal_accel_sha256 takes a whole message, so only this one-shot
 * form uses it; streams stay on the code above.
 */
export function sha256(out: usize, data: usize, len: usize): void {
  if (accelSha256(out, data, len)) return;
  sha256Init(ONE_SHOT);
  sha256Update(ONE_SHOT, data, len);
  sha256Final(ONE_SHOT, out);
}
