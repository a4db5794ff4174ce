// Poly1305 one-time authenticator, RFC 8439 §2.5.
//
// Radix 2^26 (poly1305-donna, 32-bit flavour): five 26-bit limbs, products of
// two limbs (< 2^26 * 5*2^26) summed five at a time stay below 2^64, so every
// product is one i64.mul and no carry is ever tested. Limbs are held in u64
// locals to avoid an extend before each multiply. Nothing branches on the key,
// the accumulator or the message: only on lengths, which are public.
//
// Context layout (little-endian u32 words):
//   0..20   r0..r4   clamped r, 26-bit limbs
//   20..40  h0..h4   accumulator, 26-bit limbs (h4 may briefly hold a few extra bits)
//   40..56  s        the second key half, added at the end (§2.5.1 "s")
//   56..72  buffer   pending bytes of an incomplete block
//   72..76  buffered number of pending bytes (public)

import { wipe } from "./ct";

/** Size of a Poly1305 streaming context. */
export const POLY1305_CTX_BYTES: usize = 96;
/** One-time key size in bytes (r || s). */
export const POLY1305_KEY_BYTES: usize = 32;
/** Tag size in bytes. */
export const POLY1305_TAG_BYTES: usize = 16;

const R = 0;
const H = 20;
const S = 40;
const BUF = 56;
const BUFFERED = 72;
const MASK26: u64 = 0x3ffffff;

// Context for the one-shot form; wiped by poly1305Final.
const CTX = memory.data(<i32>POLY1305_CTX_BYTES, 8);

/**
 * Starts a MAC under the 32-byte one-time key `key32` (r || s). The key must
 * never authenticate two messages (RFC 8439 §2.5, §2.6).
 */
export function poly1305Init(ctx: usize, key32: usize): void {
  // Clamp r (§2.5.1: clear the top 4 bits of bytes 3,7,11,15 and the low 2 bits
  // of bytes 4,8,12) while splitting it into 26-bit limbs.
  store<u32>(ctx, load<u32>(key32, 0) & 0x3ffffff, R + 0);
  store<u32>(ctx, (load<u32>(key32, 3) >> 2) & 0x3ffff03, R + 4);
  store<u32>(ctx, (load<u32>(key32, 6) >> 4) & 0x3ffc0ff, R + 8);
  store<u32>(ctx, (load<u32>(key32, 9) >> 6) & 0x3f03fff, R + 12);
  store<u32>(ctx, (load<u32>(key32, 12) >> 8) & 0x00fffff, R + 16);
  memory.fill(ctx + H, 0, 20);
  memory.copy(ctx + S, key32 + 16, 16);
  store<u32>(ctx, 0, BUFFERED);
}

/**
 * Absorbs `blocks` 16-byte blocks at `m`. `hibit` is 1 << 24 for full blocks
 * (the appended 0x01 byte of §2.5.1, as bit 128 = bit 24 of limb 4) and 0 for
 * the final, already-padded partial block.
 */
function poly1305Blocks(ctx: usize, m: usize, blocks: usize, hibit: u64): void {
  const r0 = <u64>load<u32>(ctx, R + 0), r1 = <u64>load<u32>(ctx, R + 4), r2 = <u64>load<u32>(ctx, R + 8);
  const r3 = <u64>load<u32>(ctx, R + 12), r4 = <u64>load<u32>(ctx, R + 16);
  // 2^130 = 5 (mod p): products that land at 2^130 and above fold back times 5.
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  let h0 = <u64>load<u32>(ctx, H + 0), h1 = <u64>load<u32>(ctx, H + 4), h2 = <u64>load<u32>(ctx, H + 8);
  let h3 = <u64>load<u32>(ctx, H + 12), h4 = <u64>load<u32>(ctx, H + 16);

  while (blocks > 0) {
    h0 += <u64>load<u32>(m, 0) & MASK26;
    h1 += <u64>(load<u32>(m, 3) >> 2) & MASK26;
    h2 += <u64>(load<u32>(m, 6) >> 4) & MASK26;
    h3 += <u64>(load<u32>(m, 9) >> 6) & MASK26;
    h4 += <u64>(load<u32>(m, 12) >> 8) | hibit;

    // h *= r (mod 2^130 - 5). Clamping keeps r limbs small enough that each
    // sum below is < 5 * 2^27 * 5 * 2^26 < 2^59.
    const d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
    let d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
    let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
    let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
    let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

    // Partial carry: afterwards h0, h2, h3, h4 < 2^26 and h1 < 2^26 + 2^10,
    // which keeps the next block's sums far below 2^64.
    d1 += d0 >> 26; h0 = d0 & MASK26;
    d2 += d1 >> 26; h1 = d1 & MASK26;
    d3 += d2 >> 26; h2 = d2 & MASK26;
    d4 += d3 >> 26; h3 = d3 & MASK26;
    h0 += (d4 >> 26) * 5; h4 = d4 & MASK26;
    h1 += h0 >> 26; h0 &= MASK26;

    m += 16;
    blocks--;
  }

  store<u32>(ctx, <u32>h0, H + 0);
  store<u32>(ctx, <u32>h1, H + 4);
  store<u32>(ctx, <u32>h2, H + 8);
  store<u32>(ctx, <u32>h3, H + 12);
  store<u32>(ctx, <u32>h4, H + 16);
}

/** Absorbs `len` bytes at `data`; a message may be split across calls anywhere. */
export function poly1305Update(ctx: usize, data: usize, len: usize): void {
  let buffered = <usize>load<u32>(ctx, BUFFERED);
  if (buffered > 0) {
    let take: usize = 16 - buffered;
    if (take > len) take = len;
    memory.copy(ctx + BUF + buffered, data, take);
    buffered += take;
    data += take;
    len -= take;
    if (buffered < 16) {
      store<u32>(ctx, <u32>buffered, BUFFERED);
      return;
    }
    poly1305Blocks(ctx, ctx + BUF, 1, 1 << 24);
    buffered = 0;
  }
  const blocks = len >> 4;
  if (blocks > 0) {
    poly1305Blocks(ctx, data, blocks, 1 << 24);
    data += blocks << 4;
    len &= 15;
  }
  memory.copy(ctx + BUF, data, len);
  store<u32>(ctx, <u32>len, BUFFERED);
}

/** Writes the 16-byte tag to `tag16` and wipes the context. */
export function poly1305Final(ctx: usize, tag16: usize): void {
  const buffered = <usize>load<u32>(ctx, BUFFERED);
  if (buffered > 0) {
    // §2.5.1: the 0x01 byte goes right after a short last block; no 2^128 bit.
    store<u8>(ctx + BUF + buffered, 1);
    memory.fill(ctx + BUF + buffered + 1, 0, 15 - buffered);
    poly1305Blocks(ctx, ctx + BUF, 1, 0);
  }

  let h0 = load<u32>(ctx, H + 0), h1 = load<u32>(ctx, H + 4), h2 = load<u32>(ctx, H + 8);
  let h3 = load<u32>(ctx, H + 12), h4 = load<u32>(ctx, H + 16);
  const m26: u32 = 0x3ffffff;

  // Full carry: afterwards every limb is < 2^26 and h < 2^130 (h may still be
  // >= p; then h < p + 5 + small, so one conditional subtraction suffices).
  h2 += h1 >> 26; h1 &= m26;
  h3 += h2 >> 26; h2 &= m26;
  h4 += h3 >> 26; h3 &= m26;
  h0 += (h4 >> 26) * 5; h4 &= m26;
  h1 += h0 >> 26; h0 &= m26;
  h2 += h1 >> 26; h1 &= m26;

  // g = h + 5 - 2^130; h >= p exactly when that subtraction does not borrow.
  let g0 = h0 + 5;
  let g1 = h1 + (g0 >> 26); g0 &= m26;
  let g2 = h2 + (g1 >> 26); g1 &= m26;
  let g3 = h3 + (g2 >> 26); g2 &= m26;
  let g4 = h4 + (g3 >> 26) - (1 << 26); g3 &= m26;

  // Mask, not branch: keepG is all-ones when g4 did not go negative.
  const keepG: u32 = (g4 >> 31) - 1;
  const keepH = ~keepG;
  h0 = (h0 & keepH) | (g0 & keepG);
  h1 = (h1 & keepH) | (g1 & keepG);
  h2 = (h2 & keepH) | (g2 & keepG);
  h3 = (h3 & keepH) | (g3 & keepG);
  h4 = (h4 & keepH) | (g4 & keepG);

  // Repack to 4 x 32 bits (mod 2^128) and add s with carry (§2.5.1).
  const w0 = h0 | (h1 << 26);
  const w1 = (h1 >> 6) | (h2 << 20);
  const w2 = (h2 >> 12) | (h3 << 14);
  const w3 = (h3 >> 18) | (h4 << 8);
  let f: u64 = <u64>w0 + <u64>load<u32>(ctx, S + 0);
  store<u32>(tag16, <u32>f, 0);
  f = <u64>w1 + <u64>load<u32>(ctx, S + 4) + (f >> 32);
  store<u32>(tag16, <u32>f, 4);
  f = <u64>w2 + <u64>load<u32>(ctx, S + 8) + (f >> 32);
  store<u32>(tag16, <u32>f, 8);
  f = <u64>w3 + <u64>load<u32>(ctx, S + 12) + (f >> 32);
  store<u32>(tag16, <u32>f, 12);

  wipe(ctx, POLY1305_CTX_BYTES);
}

/** One-shot Poly1305: tag16 = MAC of `len` bytes at `data` under `key32`. */
export function poly1305(tag16: usize, data: usize, len: usize, key32: usize): void {
  const ctx = CTX;
  poly1305Init(ctx, key32);
  poly1305Update(ctx, data, len);
  poly1305Final(ctx, tag16);
}
