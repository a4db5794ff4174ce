// TEST-ONLY entry points for sealed readings (firmware/readings/sealer.ts).
// Never part of the release module: test/readings/core-interop.test.ts
// compiles this file next to firmware/index.ts into a separate test module.
//
// Arguments are offsets into the exchange buffer, as in firmware/index.ts.
// Offsets are trusted (the test lays them out), so nothing is range-checked.

import { IO } from "../io";
import {
  READINGS_STATIC_BYTES, READINGS_SIGN_SLACK_BYTES,
  readingsBegin, readingsSeal, readingsClose, readingsChain, readingsNextSeq, readingsIsOpen, readingsWipe,
} from "../readings/sealer";

/** readingsBegin. */
export function readings_test_begin(
  outOff: u32, seedOff: u32, readersOff: u32, n: u32, epoch: u32, firstSeq: u64, prevOff: u32, rndOff: u32,
): i32 {
  return readingsBegin(IO + outOff, IO + seedOff, IO + readersOff, n, epoch, firstSeq, IO + prevOff, IO + rndOff);
}

/** readingsSeal. */
export function readings_test_seal(outOff: u32, feed: u32, payloadOff: u32, payloadLen: u32): i32 {
  return readingsSeal(IO + outOff, feed, IO + payloadOff, payloadLen);
}

/** readingsClose. */
export function readings_test_close(outOff: u32, seedOff: u32): i32 {
  return readingsClose(IO + outOff, IO + seedOff);
}

/** readingsChain. */
export function readings_test_chain(outOff: u32): void {
  readingsChain(IO + outOff);
}

/** readingsNextSeq. */
export function readings_test_next_seq(): u64 {
  return readingsNextSeq();
}

/** readingsIsOpen. */
export function readings_test_is_open(): u32 {
  return readingsIsOpen();
}

/** readingsWipe. */
export function readings_test_wipe(): void {
  readingsWipe();
}

/** 0: static bytes of the sealer; 1: signing slack. */
export function readings_test_sizes(which: u32): u32 {
  return which == 0 ? <u32>READINGS_STATIC_BYTES : <u32>READINGS_SIGN_SLACK_BYTES;
}
