// HMAC-SHA-256 (RFC 2104, FIPS 198-1), streaming, no allocation.
//
// Both padded keys are absorbed at init, so the context holds only chaining
// state, never the key itself. Key bytes pass through a static block that is
// wiped before init returns. Key LENGTH is public; key contents are not.

import { wipe } from "./ct";
import {
  SHA256_BLOCK_BYTES, SHA256_CTX_BYTES, SHA256_HASH_BYTES,
  sha256, sha256Init, sha256Update, sha256Final,
} from "./sha256";

/** Tag size. */
export const HMAC_SHA256_TAG_BYTES: usize = 32;
/** Context size: the inner SHA-256 context, then the outer one. */
export const HMAC_SHA256_CTX_BYTES: usize = 2 * SHA256_CTX_BYTES;

const OUTER: usize = SHA256_CTX_BYTES;

// K0 of RFC 2104 (the key, or its hash, zero-padded to one block), XORed in
// place with ipad then opad. Wiped after use.
const PAD: usize = memory.data(<i32>SHA256_BLOCK_BYTES, 8);
// Context for the one-shot hmacSha256(); wiped on every return.
const ONE_SHOT: usize = memory.data(<i32>HMAC_SHA256_CTX_BYTES, 8);

/**
 * Starts HMAC-SHA-256 in the `HMAC_SHA256_CTX_BYTES` context at `ctx` with the
 * `keyLen`-byte key at `key`. Keys longer than a block are hashed first
 * (RFC 2104 §2); an empty key is allowed (it pads to a zero block).
 */
export function hmacSha256Init(ctx: usize, key: usize, keyLen: usize): void {
  memory.fill(PAD, 0, SHA256_BLOCK_BYTES);
  if (keyLen > SHA256_BLOCK_BYTES) {
    // One-shot, so a board's SHA-256 accelerator can take it (sha256.ts).
    sha256(PAD, key, keyLen);
  } else {
    memory.copy(PAD, key, keyLen);
  }
  // ipad = 0x36 repeated; opad = 0x5c repeated, so opad = K0 ^ ipad ^ 0x6a.
  for (let i: usize = 0; i < SHA256_BLOCK_BYTES; i += 8) {
    store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x3636363636363636);
  }
  sha256Init(ctx);
  sha256Update(ctx, PAD, SHA256_BLOCK_BYTES);
  for (let i: usize = 0; i < SHA256_BLOCK_BYTES; i += 8) {
    store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x6a6a6a6a6a6a6a6a);
  }
  sha256Init(ctx + OUTER);
  sha256Update(ctx + OUTER, PAD, SHA256_BLOCK_BYTES);
  wipe(PAD, SHA256_BLOCK_BYTES);
}

/** Absorbs `len` bytes at `data`. Any length, any number of calls. */
export function hmacSha256Update(ctx: usize, data: usize, len: usize): void {
  sha256Update(ctx, data, len);
}

/**
 * Writes the 32-byte tag to `out` and wipes the context. `out` must not
 * overlap the context; it holds the inner hash in between.
 */
export function hmacSha256Final(ctx: usize, out: usize): void {
  sha256Final(ctx, out);
  sha256Update(ctx + OUTER, out, SHA256_HASH_BYTES);
  sha256Final(ctx + OUTER, out);
}

/** One-shot HMAC-SHA-256 of `len` bytes at `data` under the `keyLen`-byte `key`. */
export function hmacSha256(out: usize, key: usize, keyLen: usize, data: usize, len: usize): void {
  hmacSha256Init(ONE_SHOT, key, keyLen);
  hmacSha256Update(ONE_SHOT, data, len);
  hmacSha256Final(ONE_SHOT, out);
}
