// Little helpers for the wire codecs (public data only: variable time is fine).

/** le32 at `at`. */
export function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff; b[at + 1] = (v >>> 8) & 0xff; b[at + 2] = (v >>> 16) & 0xff; b[at + 3] = (v >>> 24) & 0xff;
}

/** le64 at `at` as a bigint. */
export function readU64(b: Uint8Array, at: number): bigint {
  return BigInt(readU32(b, at)) | (BigInt(readU32(b, at + 4)) << 32n);
}

/** le64 at `at` as a number, or -1 when it is >= 2^53 (no exact number: callers treat it as out of range). */
export function readU64Number(b: Uint8Array, at: number): number {
  const hi = readU32(b, at + 4);
  if (hi >= 0x200000) return -1;
  return hi * 0x1_0000_0000 + readU32(b, at);
}

export function writeU64(b: Uint8Array, at: number, v: bigint | number): void {
  const x = BigInt(v);
  if (x < 0n || x >= 1n << 64n) throw new RangeError('u64 out of range');
  writeU32(b, at, Number(x & 0xffffffffn));
  writeU32(b, at + 4, Number(x >> 32n));
}

/** le64 bytes of `v`. */
export function u64Bytes(v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, v);
  return b;
}

/** a || b || ... */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) { out.set(p, n); n += p.length; }
  return out;
}

/** True when every byte is zero (public data). */
export function allZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc === 0;
}
