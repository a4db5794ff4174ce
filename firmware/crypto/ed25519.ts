// STUB: being written. API fixed by firmware/index.ts; see README "Core crypto API".
export function ed25519PublicKey(pub: usize, seed: usize): void { unreachable(); }
export function ed25519Sign(sig: usize, seed: usize, msg: usize, msgLen: usize): void { unreachable(); }
export function ed25519Verify(pub: usize, msg: usize, msgLen: usize, sig: usize): i32 { unreachable(); return 0; }
export function ed25519ToX25519Public(out: usize, pub: usize): i32 { unreachable(); return 0; }
export function ed25519ToX25519Secret(out: usize, seed: usize): void { unreachable(); }
