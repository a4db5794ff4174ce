// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export function chacha20Block(out: usize, key: usize, nonce: usize, counter: u32): void { unreachable(); }
export function chacha20Xor(out: usize, input: usize, len: usize, key: usize, nonce: usize, counter: u32): void { unreachable(); }
