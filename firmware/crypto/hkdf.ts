// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export const HKDF_SHA256_MAX_OUT: usize = 255 * 32;
export function hkdfSha256Extract(prk: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize): void { unreachable(); }
export function hkdfSha256Expand(out: usize, outLen: usize, prk: usize, info: usize, infoLen: usize): void { unreachable(); }
export function hkdfSha256(out: usize, outLen: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, info: usize, infoLen: usize): void { unreachable(); }
