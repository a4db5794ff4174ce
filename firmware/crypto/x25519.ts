// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export function x25519(out: usize, scalar: usize, u: usize): i32 { unreachable(); return 0; }
export function x25519Base(out: usize, scalar: usize): void { unreachable(); }
