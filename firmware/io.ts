// The exchange buffer: the only memory the host writes arguments into and reads
// results from. Entry points take offsets into it, never raw addresses, so a
// caller cannot point the core at its own state.

/** Size of the exchange buffer. Large enough for any datagram-sized record. */
export const IO_BYTES: u32 = 8192;

/** Start of the exchange buffer in linear memory. */
export const IO: usize = memory.data(<i32>IO_BYTES, 16);

/** True when [off, off + len) lies inside the exchange buffer (overflow-safe). */
// @ts-ignore: decorator
@inline export function ioFits(off: u32, len: u32): bool {
  return off <= IO_BYTES && len <= IO_BYTES - off;
}
