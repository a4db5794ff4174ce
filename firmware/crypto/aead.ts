// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export function aeadSeal(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize): void { unreachable(); }
export function aeadOpen(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize): i32 { unreachable(); return 0; }
