// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export const POLY1305_CTX_BYTES: usize = 96;
export function poly1305Init(ctx: usize, key: usize): void { unreachable(); }
export function poly1305Update(ctx: usize, data: usize, len: usize): void { unreachable(); }
export function poly1305Final(ctx: usize, tag: usize): void { unreachable(); }
export function poly1305(tag: usize, data: usize, len: usize, key: usize): void { unreachable(); }
