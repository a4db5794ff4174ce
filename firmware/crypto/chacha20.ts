// ChaCha20, RFC 8439 §2.1-2.4 (IETF variant: 96-bit nonce, 32-bit block counter).
//
// Constant time by construction: the cipher is only add/xor/rotate-by-constant
// on secret words; loop counts and branches depend on `len` alone.
// The 16 state words live in locals (no memory traffic inside the rounds), so
// the full-block path never writes keystream to memory at all.

import { wipe } from "./ct";

/** Key size in bytes. */
export const CHACHA20_KEY_BYTES: usize = 32;
/** Nonce size in bytes (RFC 8439 §2.3: 96 bits). */
export const CHACHA20_NONCE_BYTES: usize = 12;
/** Keystream block size in bytes. */
export const CHACHA20_BLOCK_BYTES: usize = 64;

// Holds the last, partial block (input bytes, zero padded) while it is
// encrypted in place; wiped afterwards because it holds plaintext and keystream.
const TAIL = memory.data(64, 16);
// 64 zero bytes: chacha20Block is "encrypt zeros", so there is one round body.
const ZERO_BLOCK = memory.data(64, 16);

/**
 * Writes the 64-byte keystream block for (key32, nonce12, counter) to `out64`
 * (RFC 8439 §2.3.1). `out64` may overlap the key or nonce.
 */
export function chacha20Block(out64: usize, key32: usize, nonce12: usize, counter: u32): void {
  chacha20Xor(out64, ZERO_BLOCK, 64, key32, nonce12, counter);
}

/**
 * XORs `len` bytes of keystream, starting at block `counter`, into `input` and
 * writes the result to `out` (RFC 8439 §2.4.1). Encryption and decryption are
 * the same operation. `out` may equal `input` or overlap it in any way; key
 * and nonce are read before any output is written, so they may overlap `out`
 * too. The 32-bit block counter wraps after 2^32 blocks (256 GiB), which a
 * 32-bit `len` cannot reach from counter 0 or 1.
 */
export function chacha20Xor(out: usize, input: usize, len: usize, key32: usize, nonce12: usize, counter: u32): void {
  // Public pointer test: a forward word-by-word pass is safe when out <= input
  // or the regions are disjoint; otherwise move the input under `out` first.
  if (out > input && out < input + len) {
    memory.copy(out, input, len);
    input = out;
  }
  // RFC 8439 §2.3: constants "expand 32-byte k", key, counter, nonce.
  const k0 = load<u32>(key32, 0), k1 = load<u32>(key32, 4), k2 = load<u32>(key32, 8), k3 = load<u32>(key32, 12);
  const k4 = load<u32>(key32, 16), k5 = load<u32>(key32, 20), k6 = load<u32>(key32, 24), k7 = load<u32>(key32, 28);
  const n0 = load<u32>(nonce12, 0), n1 = load<u32>(nonce12, 4), n2 = load<u32>(nonce12, 8);
  let ctr = counter;

  while (len > 0) {
    let src = input, dst = out;
    let n: usize = 64;
    if (len < 64) {
      // Partial last block: run the same full-block body on a padded copy.
      n = len;
      memory.fill(TAIL, 0, 64);
      memory.copy(TAIL, input, n);
      src = TAIL;
      dst = TAIL;
    }

    let x0: u32 = 0x61707865, x1: u32 = 0x3320646e, x2: u32 = 0x79622d32, x3: u32 = 0x6b206574;
    let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
    let x12 = ctr, x13 = n0, x14 = n1, x15 = n2;

    for (let i = 0; i < 10; i++) {
      // Column round then diagonal round (RFC 8439 §2.1, §2.3).
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);

      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
    }

    // Feed-forward (§2.3) fused with the XOR (§2.4); wasm is little-endian,
    // which is the serialisation RFC 8439 specifies. Each word is read before
    // it is written, so dst == src is safe.
    store<u32>(dst, load<u32>(src, 0) ^ (x0 + 0x61707865), 0);
    store<u32>(dst, load<u32>(src, 4) ^ (x1 + 0x3320646e), 4);
    store<u32>(dst, load<u32>(src, 8) ^ (x2 + 0x79622d32), 8);
    store<u32>(dst, load<u32>(src, 12) ^ (x3 + 0x6b206574), 12);
    store<u32>(dst, load<u32>(src, 16) ^ (x4 + k0), 16);
    store<u32>(dst, load<u32>(src, 20) ^ (x5 + k1), 20);
    store<u32>(dst, load<u32>(src, 24) ^ (x6 + k2), 24);
    store<u32>(dst, load<u32>(src, 28) ^ (x7 + k3), 28);
    store<u32>(dst, load<u32>(src, 32) ^ (x8 + k4), 32);
    store<u32>(dst, load<u32>(src, 36) ^ (x9 + k5), 36);
    store<u32>(dst, load<u32>(src, 40) ^ (x10 + k6), 40);
    store<u32>(dst, load<u32>(src, 44) ^ (x11 + k7), 44);
    store<u32>(dst, load<u32>(src, 48) ^ (x12 + ctr), 48);
    store<u32>(dst, load<u32>(src, 52) ^ (x13 + n0), 52);
    store<u32>(dst, load<u32>(src, 56) ^ (x14 + n1), 56);
    store<u32>(dst, load<u32>(src, 60) ^ (x15 + n2), 60);

    if (n < 64) {
      memory.copy(out, TAIL, n);
      wipe(TAIL, 64);
    }
    ctr++;
    input += n;
    out += n;
    len -= n;
  }
}
