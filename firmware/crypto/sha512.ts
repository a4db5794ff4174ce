// SHA-512 (FIPS 180-4 §6.4), streaming, no allocation. Ed25519 hashes with it.
//
// Constant time: the compression function is straight-line add/and/xor/rotate
// code; the only branches and memory offsets depend on the message LENGTH
// (public by contract), never on its contents.

import { load64be, store64be, wipe } from "./ct";

/** Digest size. */
export const SHA512_HASH_BYTES: usize = 64;
/** Block size. */
export const SHA512_BLOCK_BYTES: usize = 128;
/**
 * Context size: chaining state (8 x u64, native order) at 0, block buffer at
 * 64, total byte count (u64) at 192. FIPS 180-4 pads with a 128-bit bit
 * length; a 64-bit BYTE count loses nothing below 2^64 bytes (its top three
 * bits become the high word), far beyond any message a wasm32 memory holds.
 */
export const SHA512_CTX_BYTES: usize = 200;

const STATE: usize = 0;
const BUF: usize = 64;
const COUNT: usize = 192;

// FIPS 180-4 §4.2.3: first 64 bits of the fractional parts of the cube roots
// of the first 80 primes. Indexed only by the (public) round number.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

// FIPS 180-4 §5.3.5: initial hash value.
const IV: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);

// Context for the one-shot sha512(); wiped on every return.
const ONE_SHOT: usize = memory.data(<i32>SHA512_CTX_BYTES, 8);

// FIPS 180-4 §4.1.3. Ch and Maj in their branch-free boolean forms.
// @ts-ignore: decorator
@inline function ch(x: u64, y: u64, z: u64): u64 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function maj(x: u64, y: u64, z: u64): u64 { return (x & y) | (z & (x | y)); }
// @ts-ignore: decorator
@inline function bigSigma0(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
// @ts-ignore: decorator
@inline function bigSigma1(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }
// @ts-ignore: decorator
@inline function smallSigma0(x: u64): u64 { return rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7); }
// @ts-ignore: decorator
@inline function smallSigma1(x: u64): u64 { return rotr<u64>(x, 19) ^ rotr<u64>(x, 61) ^ (x >>> 6); }

/**
 * Compresses `blocks` consecutive 128-byte blocks at `p` into the state at
 * `st`. Same shape as SHA-256's: sixteen unrolled rounds, the schedule in
 * sixteen locals updated in place, no scratch memory.
 */
function compress(st: usize, p: usize, blocks: usize): void {
  let a = load<u64>(st, 0), b = load<u64>(st, 8), c = load<u64>(st, 16), d = load<u64>(st, 24);
  let e = load<u64>(st, 32), f = load<u64>(st, 40), g = load<u64>(st, 48), h = load<u64>(st, 56);
  const end = p + (blocks << 7);
  while (p < end) {
    let w0 = load64be(p), w1 = load64be(p + 8), w2 = load64be(p + 16), w3 = load64be(p + 24);
    let w4 = load64be(p + 32), w5 = load64be(p + 40), w6 = load64be(p + 48), w7 = load64be(p + 56);
    let w8 = load64be(p + 64), w9 = load64be(p + 72), w10 = load64be(p + 80), w11 = load64be(p + 88);
    let w12 = load64be(p + 96), w13 = load64be(p + 104), w14 = load64be(p + 112), w15 = load64be(p + 120);
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    for (let k = K; ; k += 128) {
      h += bigSigma1(e) + ch(e, f, g) + load<u64>(k, 0) + w0; d += h; h += bigSigma0(a) + maj(a, b, c);
      g += bigSigma1(d) + ch(d, e, f) + load<u64>(k, 8) + w1; c += g; g += bigSigma0(h) + maj(h, a, b);
      f += bigSigma1(c) + ch(c, d, e) + load<u64>(k, 16) + w2; b += f; f += bigSigma0(g) + maj(g, h, a);
      e += bigSigma1(b) + ch(b, c, d) + load<u64>(k, 24) + w3; a += e; e += bigSigma0(f) + maj(f, g, h);
      d += bigSigma1(a) + ch(a, b, c) + load<u64>(k, 32) + w4; h += d; d += bigSigma0(e) + maj(e, f, g);
      c += bigSigma1(h) + ch(h, a, b) + load<u64>(k, 40) + w5; g += c; c += bigSigma0(d) + maj(d, e, f);
      b += bigSigma1(g) + ch(g, h, a) + load<u64>(k, 48) + w6; f += b; b += bigSigma0(c) + maj(c, d, e);
      a += bigSigma1(f) + ch(f, g, h) + load<u64>(k, 56) + w7; e += a; a += bigSigma0(b) + maj(b, c, d);
      h += bigSigma1(e) + ch(e, f, g) + load<u64>(k, 64) + w8; d += h; h += bigSigma0(a) + maj(a, b, c);
      g += bigSigma1(d) + ch(d, e, f) + load<u64>(k, 72) + w9; c += g; g += bigSigma0(h) + maj(h, a, b);
      f += bigSigma1(c) + ch(c, d, e) + load<u64>(k, 80) + w10; b += f; f += bigSigma0(g) + maj(g, h, a);
      e += bigSigma1(b) + ch(b, c, d) + load<u64>(k, 88) + w11; a += e; e += bigSigma0(f) + maj(f, g, h);
      d += bigSigma1(a) + ch(a, b, c) + load<u64>(k, 96) + w12; h += d; d += bigSigma0(e) + maj(e, f, g);
      c += bigSigma1(h) + ch(h, a, b) + load<u64>(k, 104) + w13; g += c; c += bigSigma0(d) + maj(d, e, f);
      b += bigSigma1(g) + ch(g, h, a) + load<u64>(k, 112) + w14; f += b; b += bigSigma0(c) + maj(c, d, e);
      a += bigSigma1(f) + ch(f, g, h) + load<u64>(k, 120) + w15; e += a; a += bigSigma0(b) + maj(b, c, d);
      if (k == K + 512) break;
      // Next sixteen schedule words (§6.4.2 step 1).
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
    p += 128;
  }
  store<u64>(st, a, 0); store<u64>(st, b, 8); store<u64>(st, c, 16); store<u64>(st, d, 24);
  store<u64>(st, e, 32); store<u64>(st, f, 40); store<u64>(st, g, 48); store<u64>(st, h, 56);
}

/** Starts a SHA-512 computation in the `SHA512_CTX_BYTES` context at `ctx`. */
export function sha512Init(ctx: usize): void {
  memory.copy(ctx + STATE, IV, 64);
  store<u64>(ctx, 0, COUNT);
}

/** Absorbs `len` bytes at `data`. Any length, any number of calls. */
export function sha512Update(ctx: usize, data: usize, len: usize): void {
  const count = load<u64>(ctx, COUNT);
  store<u64>(ctx, count + <u64>len, COUNT);
  let used = <usize>count & 127;
  if (used != 0) {
    const room: usize = 128 - used;
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
  const blocks = len >>> 7;
  if (blocks != 0) compress(ctx + STATE, data, blocks);
  memory.copy(ctx + BUF, data + (blocks << 7), len & 127);
}

/** Writes the 64-byte digest to `out` and wipes the context. */
export function sha512Final(ctx: usize, out: usize): void {
  const count = load<u64>(ctx, COUNT);
  const buf = ctx + BUF;
  // §5.1.2 padding: 0x80, zeros to 112 mod 128, then the 128-bit bit length.
  let used = <usize>count & 127;
  store<u8>(buf + used, 0x80);
  used++;
  if (used > 112) {
    memory.fill(buf + used, 0, 128 - used);
    compress(ctx + STATE, buf, 1);
    used = 0;
  }
  memory.fill(buf + used, 0, 112 - used);
  store64be(buf + 112, count >>> 61);
  store64be(buf + 120, count << 3);
  compress(ctx + STATE, buf, 1);
  for (let i: usize = 0; i < 64; i += 8) store64be(out + i, load<u64>(ctx + STATE + i));
  wipe(ctx, SHA512_CTX_BYTES);
}

/** One-shot SHA-512 of `len` bytes at `data` into the 64 bytes at `out`. */
export function sha512(out: usize, data: usize, len: usize): void {
  sha512Init(ONE_SHOT);
  sha512Update(ONE_SHOT, data, len);
  sha512Final(ONE_SHOT, out);
}
