// Encode / decode of every message (protocol §2-§6). Decoding is strict: exact
// size per type, reserved header bytes zero, ENROLL_INIT padding zero,
// datagrams above MAX_MESSAGE_BYTES refused. Decoded fields are views into the
// input (no copies); a failure is a reason string for the drop counters.
//
// Layouts (offsets in bytes):
//   SESSION_INIT  0 type|000 4 sender 8 noise(104: e 32, enc_s 48, enc_counter 24) 112 mac1 128 mac2 -> 144
//   SESSION_RESP  0 type|000 4 sender 8 receiver 12 noise(48: e 32, enc_payload 16)                    -> 60
//   COOKIE_REPLY  0 type|000 4 receiver 8 nonce(12) 20 enc_cookie(32)                                  -> 52
//   TRANSPORT     0 type|000 4 receiver 8 counter(le64) 16 ciphertext(n + 16)                          -> 32 + n
//   ENROLL_INIT   0 type|000 4 sender 8 claim_id 16 noise(48: e 32, enc_payload 16) 64 zero(16) 80 mac1 96 mac2 -> 112
//   ENROLL_RESP   0 type|000 4 sender 8 receiver 12 noise(96: e 32, enc_s 48, enc_payload 16)          -> 108
//   ENROLL_FINISH 0 type|000 4 receiver 8 noise(96: enc_s 48, enc_payload 48)                          -> 104
// (ENROLL_INIT: the spec's "e(32) | zero(32)" omits the 16-byte tag Noise puts on
// the empty payload once "e" has called MixKey in a psk pattern, Noise §9.2; the
// padding is therefore 16 bytes and the total stays 112.)

import * as C from './constants.ts';
import { allZero, readU32, readU64Number, writeU32, writeU64 } from './bytes.ts';

export const SESSION_INIT_NOISE_BYTES = 104;
export const SESSION_RESP_NOISE_BYTES = 48;
export const ENROLL_INIT_NOISE_BYTES = 48;
export const ENROLL_RESP_NOISE_BYTES = 96;
export const ENROLL_FINISH_NOISE_BYTES = 96;

/** Offsets of mac1 and mac2 (mac1 covers [0, MAC1), mac2 covers [0, MAC2)). */
export const SESSION_INIT_MAC1 = 112;
export const SESSION_INIT_MAC2 = 128;
export const ENROLL_INIT_MAC1 = 80;
export const ENROLL_INIT_MAC2 = 96;

export interface SessionInit { type: typeof C.SESSION_INIT; bytes: Uint8Array; sender: number; noise: Uint8Array; mac1: Uint8Array; mac2: Uint8Array }
export interface SessionResp { type: typeof C.SESSION_RESP; bytes: Uint8Array; sender: number; receiver: number; noise: Uint8Array }
export interface CookieReply { type: typeof C.COOKIE_REPLY; bytes: Uint8Array; receiver: number; nonce: Uint8Array; encryptedCookie: Uint8Array }
export interface Transport {
  type: typeof C.TRANSPORT; bytes: Uint8Array; receiver: number;
  /** The record counter, or -1 when it is >= 2^53 (always beyond REJECT_AFTER_MESSAGES). */
  counter: number;
  ciphertext: Uint8Array;
}
export interface EnrollInit { type: typeof C.ENROLL_INIT; bytes: Uint8Array; sender: number; claimId: Uint8Array; noise: Uint8Array; mac1: Uint8Array; mac2: Uint8Array }
export interface EnrollResp { type: typeof C.ENROLL_RESP; bytes: Uint8Array; sender: number; receiver: number; noise: Uint8Array }
export interface EnrollFinish { type: typeof C.ENROLL_FINISH; bytes: Uint8Array; receiver: number; noise: Uint8Array }

export type Message = SessionInit | SessionResp | CookieReply | Transport | EnrollInit | EnrollResp | EnrollFinish;

/** Why a message did not decode (protocol §8: drop, count, no reply). */
export type DecodeFailure = 'malformed-short' | 'malformed-long' | 'unknown-type' | 'reserved-nonzero' | 'wrong-size' | 'padding-nonzero';

const FIXED_SIZE: Record<number, number> = {
  [C.SESSION_INIT]: C.SESSION_INIT_BYTES,
  [C.SESSION_RESP]: C.SESSION_RESP_BYTES,
  [C.COOKIE_REPLY]: C.COOKIE_REPLY_BYTES,
  [C.ENROLL_INIT]: C.ENROLL_INIT_BYTES,
  [C.ENROLL_RESP]: C.ENROLL_RESP_BYTES,
  [C.ENROLL_FINISH]: C.ENROLL_FINISH_BYTES,
};

/** Decode one message (one datagram, or one TCP frame without its length prefix). */
export function decodeMessage(b: Uint8Array): Message | DecodeFailure {
  if (b.length < C.HEADER_BYTES) return 'malformed-short';
  if (b.length > C.MAX_MESSAGE_BYTES) return 'malformed-long';
  const type = b[0];
  if (type < C.SESSION_INIT || type > C.ENROLL_FINISH) return 'unknown-type';
  if ((b[1] | b[2] | b[3]) !== 0) return 'reserved-nonzero';
  if (type === C.TRANSPORT) {
    if (b.length < C.TRANSPORT_MIN_BYTES) return 'wrong-size';
    return { type, bytes: b, receiver: readU32(b, 4), counter: readU64Number(b, 8), ciphertext: b.subarray(C.TRANSPORT_HEADER_BYTES) };
  }
  if (b.length !== FIXED_SIZE[type]) return 'wrong-size';
  switch (type) {
    case C.SESSION_INIT:
      return {
        type, bytes: b, sender: readU32(b, 4), noise: b.subarray(8, SESSION_INIT_MAC1),
        mac1: b.subarray(SESSION_INIT_MAC1, SESSION_INIT_MAC2), mac2: b.subarray(SESSION_INIT_MAC2, C.SESSION_INIT_BYTES),
      };
    case C.SESSION_RESP:
      return { type, bytes: b, sender: readU32(b, 4), receiver: readU32(b, 8), noise: b.subarray(12) };
    case C.COOKIE_REPLY:
      return { type, bytes: b, receiver: readU32(b, 4), nonce: b.subarray(8, 20), encryptedCookie: b.subarray(20) };
    case C.ENROLL_INIT:
      if (!allZero(b.subarray(64, ENROLL_INIT_MAC1))) return 'padding-nonzero';
      return {
        type, bytes: b, sender: readU32(b, 4), claimId: b.subarray(8, 16), noise: b.subarray(16, 64),
        mac1: b.subarray(ENROLL_INIT_MAC1, ENROLL_INIT_MAC2), mac2: b.subarray(ENROLL_INIT_MAC2, C.ENROLL_INIT_BYTES),
      };
    case C.ENROLL_RESP:
      return { type, bytes: b, sender: readU32(b, 4), receiver: readU32(b, 8), noise: b.subarray(12) };
    default: // ENROLL_FINISH
      return { type: C.ENROLL_FINISH, bytes: b, receiver: readU32(b, 4), noise: b.subarray(8) };
  }
}

function expectLen(v: Uint8Array, n: number, what: string): void {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
  if (v.length !== n) throw new RangeError(`${what}: expected ${n} bytes, got ${v.length}`);
}

function expectIndex(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what}: not a u32`);
}

/** One field of a layout: a le32 index, or bytes of an exact length, at its offset. */
type Field =
  | { at: number; index: number; what: string }
  | { at: number; bytes: Uint8Array; len: number; what: string };

const index = (at: number, v: number, what: string): Field => ({ at, index: v, what });
const bytes = (at: number, v: Uint8Array, len: number, what: string): Field => ({ at, bytes: v, len, what });

/**
 * The one encoder every message goes through: check every field first (a bad
 * argument throws before anything is built), then the header (type, three zero
 * bytes) and the fields at their offsets; bytes not named stay zero (mac1, mac2
 * and the ENROLL_INIT padding until writeMacs()).
 */
function build(type: C.MessageType, size: number, fields: readonly Field[]): Uint8Array {
  for (const f of fields) {
    if ('index' in f) expectIndex(f.index, f.what);
    else expectLen(f.bytes, f.len, f.what);
  }
  const b = new Uint8Array(size);
  b[0] = type;
  for (const f of fields) {
    if ('index' in f) writeU32(b, f.at, f.index);
    else b.set(f.bytes, f.at);
  }
  return b;
}

/** SESSION_INIT with mac1 and mac2 zero (fill them with writeMacs()). */
export function encodeSessionInit(sender: number, noise: Uint8Array): Uint8Array {
  return build(C.SESSION_INIT, C.SESSION_INIT_BYTES, [
    index(4, sender, 'sender'), bytes(8, noise, SESSION_INIT_NOISE_BYTES, 'SESSION_INIT noise'),
  ]);
}

export function encodeSessionResp(sender: number, receiver: number, noise: Uint8Array): Uint8Array {
  return build(C.SESSION_RESP, C.SESSION_RESP_BYTES, [
    index(4, sender, 'sender'), index(8, receiver, 'receiver'), bytes(12, noise, SESSION_RESP_NOISE_BYTES, 'SESSION_RESP noise'),
  ]);
}

export function encodeCookieReply(receiver: number, nonce: Uint8Array, encryptedCookie: Uint8Array): Uint8Array {
  return build(C.COOKIE_REPLY, C.COOKIE_REPLY_BYTES, [
    index(4, receiver, 'receiver'), bytes(8, nonce, C.COOKIE_NONCE_BYTES, 'cookie nonce'),
    bytes(20, encryptedCookie, C.COOKIE_BYTES + 16, 'encrypted cookie'),
  ]);
}

export function encodeTransport(receiver: number, counter: number, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length < 16 || ciphertext.length > C.MAX_MESSAGE_BYTES - C.TRANSPORT_HEADER_BYTES) {
    throw new RangeError(`TRANSPORT ciphertext: bad length ${ciphertext.length}`);
  }
  const b = build(C.TRANSPORT, C.TRANSPORT_HEADER_BYTES + ciphertext.length, [
    index(4, receiver, 'receiver'), bytes(C.TRANSPORT_HEADER_BYTES, ciphertext, ciphertext.length, 'TRANSPORT ciphertext'),
  ]);
  writeU64(b, 8, counter);
  return b;
}

/** ENROLL_INIT with the padding, mac1 and mac2 zero (fill the macs with writeMacs()). */
export function encodeEnrollInit(sender: number, claimId: Uint8Array, noise: Uint8Array): Uint8Array {
  return build(C.ENROLL_INIT, C.ENROLL_INIT_BYTES, [
    index(4, sender, 'sender'), bytes(8, claimId, C.CLAIM_ID_BYTES, 'claim_id'),
    bytes(16, noise, ENROLL_INIT_NOISE_BYTES, 'ENROLL_INIT noise'),
  ]);
}

export function encodeEnrollResp(sender: number, receiver: number, noise: Uint8Array): Uint8Array {
  return build(C.ENROLL_RESP, C.ENROLL_RESP_BYTES, [
    index(4, sender, 'sender'), index(8, receiver, 'receiver'), bytes(12, noise, ENROLL_RESP_NOISE_BYTES, 'ENROLL_RESP noise'),
  ]);
}

export function encodeEnrollFinish(receiver: number, noise: Uint8Array): Uint8Array {
  return build(C.ENROLL_FINISH, C.ENROLL_FINISH_BYTES, [
    index(4, receiver, 'receiver'), bytes(8, noise, ENROLL_FINISH_NOISE_BYTES, 'ENROLL_FINISH noise'),
  ]);
}
