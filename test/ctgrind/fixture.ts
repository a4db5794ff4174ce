// Deliberately NOT constant time. test/ctgrind.test.ts compiles this with the
// release core's asc options and runs it through the same pipeline (wasm2c,
// gcc, valgrind) to prove each kind of leak is reported; ctCompare is the
// control that must pass clean. Exchange-buffer ABI as in firmware/index.ts.

// @ts-ignore: decorator
@external("hal", "hal_rng_fill") declare function hal_rng_fill(out: usize, len: u32): i32;

const IO_BYTES: u32 = 8192;
const IO: usize = memory.data(<i32>IO_BYTES, 16);
/** A 256-entry table, like an S-box or T-table. */
const TABLE: usize = memory.data(256, 16);

export { __heap_base, __data_end };

export function fw_io_ptr(): usize { return IO; }
export function fw_io_bytes(): u32 { return IO_BYTES; }

/** LEAK: early-exit comparison, returns at the first differing byte. */
export function leaky_compare(aOff: u32, bOff: u32, len: u32): i32 {
  for (let i: u32 = 0; i < len; i++) {
    if (load<u8>(IO + aOff + i) != load<u8>(IO + bOff + i)) return -1;
  }
  return 0;
}

/** LEAK: memory index derived from a secret byte (the AES T-table leak). */
export function leaky_lookup(outOff: u32, inOff: u32, len: u32): void {
  for (let i: u32 = 0; i < len; i++) {
    store<u8>(IO + outOff + i, load<u8>(TABLE + <usize>load<u8>(IO + inOff + i)));
  }
}

/** LEAK: `select` on a secret bit (WAMR's interpreter runs select as a branch). */
export function leaky_select(outOff: u32, inOff: u32, len: u32): void {
  for (let i: u32 = 0; i < len; i++) {
    const bit = <u32>load<u8>(IO + inOff + i) & 1;
    store<u32>(IO + outOff + 4 * i, select<u32>(0x9e3779b9, 0x7f4a7c15, bit != 0));
  }
}

/** LEAK: a branch on a key the HAL's RNG produced (exercises the hal import glue). */
export function leaky_rng_branch(outOff: u32): i32 {
  const status = hal_rng_fill(IO + outOff, 32);
  if (load<u8>(IO + outOff) > 127) store<u8>(IO + outOff, 0);
  return status;
}

/** CONTROL: constant-time comparison (or-accumulate, then a mask); must not be flagged. */
export function ct_compare(aOff: u32, bOff: u32, len: u32): i32 {
  let diff: u32 = 0;
  for (let i: u32 = 0; i < len; i++) diff |= <u32>(load<u8>(IO + aOff + i) ^ load<u8>(IO + bOff + i));
  return <i32>(0 - ((diff | (0 - diff)) >> 31));
}

/**
 * LEAK hidden next to a public branch: an open whose verdict branch is as
 * public as the core's aeadOpen, but whose tag compare exits early. The
 * declassification rule that admits the core's verdict branch, applied here,
 * must still fail (the early exit adds 16 jumps per call).
 */
export function leaky_aead_open(outOff: u32, aOff: u32, bOff: u32, len: u32): i32 {
  let equal = 1;
  for (let i: u32 = 0; i < len; i++) {
    if (load<u8>(IO + aOff + i) != load<u8>(IO + bOff + i)) { equal = 0; break; }
  }
  if (equal) memory.copy(IO + outOff, IO + aOff, len); else memory.fill(IO + outOff, 0, len);
  return equal - 1;
}

/** CONTROL for the rule: a constant-time compare, then the one verdict branch (as in the core). */
export function ct_aead_open(outOff: u32, aOff: u32, bOff: u32, len: u32): i32 {
  const diff = ct_compare(aOff, bOff, len);
  if (diff == 0) memory.copy(IO + outOff, IO + aOff, len); else memory.fill(IO + outOff, 0, len);
  return diff;
}
