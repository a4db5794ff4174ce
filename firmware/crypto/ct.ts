// Constant-time helpers shared by every primitive.
//
// Secrets flow only through add/sub/mul, and/or/xor and shifts by public
// amounts. No `if`, `?:`, `select<T>()`, early return or memory index may depend
// on a secret: WAMR's fast interpreter executes the wasm `select` opcode as a C
// branch, so it is not constant time on a device (see README, Security).

/** All-ones (0xFFFFFFFF) when `x` is zero, else 0. */
// @ts-ignore: decorator
@inline export function ctIsZeroMask32(x: u32): u32 {
  // (x | -x) has its top bit set exactly when x != 0.
  return ((x | (0 - x)) >> 31) - 1;
}

/** All-ones when `x` is non-zero, else 0. */
// @ts-ignore: decorator
@inline export function ctNonZeroMask32(x: u32): u32 {
  return 0 - ((x | (0 - x)) >> 31);
}

/** Expands a public-or-secret bit (0 or 1) to a mask (0 or 0xFFFFFFFF). */
// @ts-ignore: decorator
@inline export function ctMask32(bit: u32): u32 {
  return 0 - (bit & 1);
}

/** Expands a bit (0 or 1) to a 64-bit mask. */
// @ts-ignore: decorator
@inline export function ctMask64(bit: u64): u64 {
  return 0 - (bit & 1);
}

/**
 * Compares `len` bytes at `a` and `b` in time that depends only on `len`.
 * Returns 0 when equal and -1 otherwise (Monocypher's crypto_verify convention).
 * `len` is public.
 */
export function ctVerify(a: usize, b: usize, len: usize): i32 {
  let diff: u32 = 0;
  for (let i: usize = 0; i < len; i++) {
    diff |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  }
  // -1 when diff != 0, 0 otherwise, without a branch.
  return <i32>ctNonZeroMask32(diff);
}

/** Returns 1 when all `len` bytes at `p` are zero, else 0, in constant time. */
export function ctIsZero(p: usize, len: usize): i32 {
  let acc: u32 = 0;
  for (let i: usize = 0; i < len; i++) acc |= <u32>load<u8>(p + i);
  return <i32>(ctIsZeroMask32(acc) & 1);
}

/**
 * Overwrites `len` bytes at `p` with zeros. Used on every key and scratch
 * buffer after use. Binaryen performs no dead-store elimination on linear
 * memory, so these stores survive optimisation (checked by test/build.test.ts).
 */
export function wipe(p: usize, len: usize): void {
  memory.fill(p, 0, len);
}

/** Copies `len` bytes; regions may overlap. Public lengths only. */
// @ts-ignore: decorator
@inline export function copy(dst: usize, src: usize, len: usize): void {
  memory.copy(dst, src, len);
}

/** Reads a little-endian u32 from possibly unaligned memory. */
// @ts-ignore: decorator
@inline export function load32le(p: usize): u32 {
  return load<u32>(p);
}

/** Reads a big-endian u32. */
// @ts-ignore: decorator
@inline export function load32be(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** Writes a big-endian u32. */
// @ts-ignore: decorator
@inline export function store32be(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** Reads a big-endian u64. */
// @ts-ignore: decorator
@inline export function load64be(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

/** Writes a big-endian u64. */
// @ts-ignore: decorator
@inline export function store64be(p: usize, v: u64): void {
  store<u64>(p, bswap<u64>(v));
}
