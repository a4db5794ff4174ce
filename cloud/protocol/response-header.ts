// The header of SESSION_RESP and ENROLL_RESP, type(1) | 000 | sender(4) |
// receiver(4), sits outside the Noise message, so no AEAD tag would cover it
// and an on-path attacker could rewrite the relay's `sender` index unnoticed
// (protocol §2). Both sides therefore MixHash it into the handshake hash right
// before message 2 (relay: before writing it; device: before reading it): every
// tag of message 2 then authenticates the header, and a changed byte fails the
// read like any other tampering. No wire bytes change.

import type { HandshakeState } from '../noise/handshake-state.ts';

/** Bytes [0, 12) of SESSION_RESP / ENROLL_RESP: what the binding covers. */
export const RESPONSE_HEADER_BYTES = 12;

/** MixHash(response[0:12]) into `hs`; `response` is the whole message (its Noise part may still be a placeholder). */
export function bindResponseHeader(hs: HandshakeState, response: Uint8Array): void {
  if (response.length < RESPONSE_HEADER_BYTES) throw new RangeError(`response: expected at least ${RESPONSE_HEADER_BYTES} bytes`);
  hs.mixHash(response.subarray(0, RESPONSE_HEADER_BYTES));
}
