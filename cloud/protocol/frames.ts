// The inner frames of a TRANSPORT record (protocol §6): kind(1) | length(2, BE) | body.
// A record with no frames is a keepalive; unknown kinds are skipped by length.
// A known kind with a wrong body length, or a truncated frame, makes the whole
// record invalid (dropped and counted).

import {
  FRAME_ACK, FRAME_DATA, FRAME_ENROLLED, FRAME_HEADER_BYTES, FRAME_PADDING, FRAME_REKEY, KEY_BYTES, MAX_RECORD_PLAINTEXT,
} from './constants.ts';
import { readU64Number, writeU64 } from './bytes.ts';

export type Frame =
  | { kind: typeof FRAME_PADDING; length: number }
  | { kind: typeof FRAME_DATA; data: Uint8Array }
  /** Counter of one received record that carried DATA, in the session the ACK travels in. */
  | { kind: typeof FRAME_ACK; counter: number }
  | { kind: typeof FRAME_REKEY }
  | { kind: typeof FRAME_ENROLLED; admissionKey: Uint8Array };

/** Encoded size of a frame. */
export function frameSize(f: Frame): number {
  switch (f.kind) {
    case FRAME_PADDING: return FRAME_HEADER_BYTES + f.length;
    case FRAME_DATA: return FRAME_HEADER_BYTES + f.data.length;
    case FRAME_ACK: return FRAME_HEADER_BYTES + 8;
    case FRAME_REKEY: return FRAME_HEADER_BYTES;
    case FRAME_ENROLLED: return FRAME_HEADER_BYTES + KEY_BYTES;
  }
}

/** Largest DATA body that fits one record alone. */
export const MAX_DATA_BYTES = MAX_RECORD_PLAINTEXT - FRAME_HEADER_BYTES;

/** Plaintext of a record holding `frames`, in order. Throws RangeError when it exceeds MAX_RECORD_PLAINTEXT. */
export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  let n = 0;
  for (const f of frames) n += frameSize(f);
  if (n > MAX_RECORD_PLAINTEXT) throw new RangeError(`frames: ${n} bytes exceed one record (${MAX_RECORD_PLAINTEXT})`);
  const out = new Uint8Array(n);
  let at = 0;
  for (const f of frames) {
    const len = frameSize(f) - FRAME_HEADER_BYTES;
    out[at] = f.kind;
    out[at + 1] = len >>> 8;
    out[at + 2] = len & 0xff;
    at += FRAME_HEADER_BYTES;
    switch (f.kind) {
      case FRAME_DATA: out.set(f.data, at); break;
      case FRAME_ACK: writeU64(out, at, f.counter); break;
      case FRAME_ENROLLED:
        if (f.admissionKey.length !== KEY_BYTES) throw new RangeError('ENROLLED: 32-byte admission key expected');
        out.set(f.admissionKey, at);
        break;
      default: break; // PADDING stays zero, REKEY is empty
    }
    at += len;
  }
  return out;
}

/** Frames of a record's plaintext (DATA bodies are views), or null when malformed. */
export function decodeFrames(p: Uint8Array): Frame[] | null {
  const frames: Frame[] = [];
  let at = 0;
  while (at < p.length) {
    if (p.length - at < FRAME_HEADER_BYTES) return null;
    const kind = p[at];
    const len = (p[at + 1] << 8) | p[at + 2];
    at += FRAME_HEADER_BYTES;
    if (p.length - at < len) return null;
    const body = p.subarray(at, at + len);
    at += len;
    switch (kind) {
      case FRAME_PADDING: frames.push({ kind, length: len }); break;
      case FRAME_DATA: frames.push({ kind, data: body }); break;
      case FRAME_ACK: {
        if (len !== 8) return null;
        const counter = readU64Number(body, 0);
        if (counter < 0) return null;
        frames.push({ kind, counter });
        break;
      }
      case FRAME_REKEY:
        if (len !== 0) return null;
        frames.push({ kind });
        break;
      case FRAME_ENROLLED:
        if (len !== KEY_BYTES) return null;
        frames.push({ kind, admissionKey: body });
        break;
      default: break; // unknown kind: skipped by length
    }
  }
  return frames;
}
