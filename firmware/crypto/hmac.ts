// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export const HMAC_SHA256_CTX_BYTES: usize = 320;
export function hmacSha256Init(ctx: usize, key: usize, keyLen: usize): void { unreachable(); }
export function hmacSha256Update(ctx: usize, data: usize, len: usize): void { unreachable(); }
export function hmacSha256Final(ctx: usize, out: usize): void { unreachable(); }
export function hmacSha256(out: usize, key: usize, keyLen: usize, data: usize, len: usize): void { unreachable(); }
