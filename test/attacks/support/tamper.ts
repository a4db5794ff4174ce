// Single-bit tampering: every variant of a message with one bit flipped, the
// drop reason the relay must count for it (from the message layout of
// protocol §2-§6), and paced injection so a burst of datagrams is not lost to a
// socket buffer (a lost datagram would make a count wait forever, not pass).

import * as C from '../../../cloud/protocol/constants.ts';
import type { DropReason } from '../../../cloud/relay/index.ts';
import type { Direction, Proxy } from './proxy.ts';

export interface Variant {
  bit: number;
  bytes: Uint8Array;
}

/** `msg` with bit `bit` (0 = least significant bit of byte 0) flipped. */
export function flip(msg: Uint8Array, bit: number): Uint8Array {
  const x = msg.slice();
  x[bit >>> 3] ^= 1 << (bit & 7);
  return x;
}

/** Every single-bit variant of msg[from:to) (bytes). */
export function variants(msg: Uint8Array, from = 0, to = msg.length): Variant[] {
  const out: Variant[] = [];
  for (let bit = from * 8; bit < to * 8; bit++) out.push({ bit, bytes: flip(msg, bit) });
  return out;
}

const SIZE: Record<number, number> = {
  [C.SESSION_INIT]: C.SESSION_INIT_BYTES, [C.SESSION_RESP]: C.SESSION_RESP_BYTES, [C.COOKIE_REPLY]: C.COOKIE_REPLY_BYTES,
  [C.ENROLL_INIT]: C.ENROLL_INIT_BYTES, [C.ENROLL_RESP]: C.ENROLL_RESP_BYTES, [C.ENROLL_FINISH]: C.ENROLL_FINISH_BYTES,
};

/**
 * What the relay must count for a message whose header (bytes 0-3) was changed
 * to type `type` / reserved bytes, given its length (§2, §8): bytes 1-3 are
 * reserved; a type outside 1..7 is unknown; a known type with another size is
 * the wrong size; a TRANSPORT-sized message that became TRANSPORT goes to the
 * transport handler (`asTransport`).
 */
export function headerReason(msg: Uint8Array, asTransport: DropReason): DropReason {
  if (msg[1] !== 0 || msg[2] !== 0 || msg[3] !== 0) {
    // Decoding checks the type before the reserved bytes.
    if (msg[0] < 1 || msg[0] > 7) return 'unknown-type';
    return 'reserved-nonzero';
  }
  const t = msg[0];
  if (t < 1 || t > 7) return 'unknown-type';
  if (t === C.TRANSPORT) return msg.length >= C.TRANSPORT_MIN_BYTES ? asTransport : 'wrong-size';
  return msg.length === SIZE[t] ? 'unexpected-type' : 'wrong-size';
}

/** Byte ranges of a message and what flipping a bit inside them must cost. */
export type Layout = [from: number, to: number, reason: DropReason | ((v: Variant) => DropReason)][];

/** Expected drop counts of `vs` under `layout` (header bytes 0-3 are classified by headerReason). */
export function expectedDrops(vs: Variant[], layout: Layout, asTransport: DropReason = 'unknown-index'): Partial<Record<DropReason, number>> {
  const out: Partial<Record<DropReason, number>> = {};
  for (const v of vs) {
    const byte = v.bit >>> 3;
    let reason: DropReason | undefined;
    if (byte < C.HEADER_BYTES) reason = headerReason(v.bytes, asTransport);
    else {
      for (const [from, to, r] of layout) if (byte >= from && byte < to) reason = typeof r === 'function' ? r(v) : r;
    }
    if (reason === undefined) throw new Error(`no layout entry for byte ${byte}`);
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}

/**
 * Inject every variant through the proxy in batches; after each batch wait until
 * `processed()` (how many the receiver has handled so far) catches up, so no
 * socket buffer overflows. Throws when the receiver stops making progress.
 */
export async function injectPaced(proxy: Proxy, dir: Direction, vs: Variant[], processed: () => number, batch = 32): Promise<void> {
  for (let i = 0; i < vs.length; i += batch) {
    const end = Math.min(i + batch, vs.length);
    for (let j = i; j < end; j++) proxy.inject(dir, vs[j].bytes);
    const deadline = Date.now() + 4000;
    while (processed() < end) {
      if (Date.now() > deadline) throw new Error(`injectPaced: receiver stuck at ${processed()} of ${end} (a variant was accepted or lost)`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}
