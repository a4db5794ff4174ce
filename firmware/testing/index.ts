// Test-only entry points, compiled into build/sealink-core.test.wasm by the
// "test" target (asconfig.json, scripts/build.ts) and never into the release
// module. They drive the production Noise and session code with inputs a test
// chooses (static keys, ephemerals, prologue, psk), so published vectors
// (cacophony) can check it byte for byte. Offsets are into the exchange
// buffer, as for every export.

import { IO, ioFits } from "../io";
import { copy } from "../crypto/ct";
import { x25519Base } from "../crypto/x25519";
import { HAL_OK, HAL_EINVAL } from "../hal.generated";
import { HS, MSG } from "../protocol/mem";
import {
  TOKEN_E, TOKEN_S, TOKEN_EE, TOKEN_ES, TOKEN_SE, TOKEN_SS, TOKEN_END,
  HS_E, HS_H, HS_RS, HS_S, HS_SPUB, HS_PSK, noiseInit, noiseWriteMessage, noiseReadMessage, noiseWipe,
} from "../protocol/noise";
import { PATTERN_IKPSK2, PROTOCOL_IKPSK2 } from "../protocol/handshake";
import { PATTERN_XXPSK3, PROTOCOL_XXPSK3 } from "../protocol/enroll";
import { SESSION_CURRENT, S_REPLAY, sessionInstall, sessionSeal, sessionOpen, sessionWipe } from "../protocol/session";
import { replayCheck, replayUpdate } from "../protocol/replay";
import { MSG_TRANSPORT, TRANSPORT_HEADER_BYTES, TRANSPORT_MIN_BYTES } from "../protocol/wire";

// "Noise_IK_25519_ChaChaPoly_SHA256", "Noise_XX_25519_ChaChaPoly_SHA256": 32 bytes, used unhashed (§5.2).
const PROTOCOL_IK: usize = memory.data<u8>([
  0x4e, 0x6f, 0x69, 0x73, 0x65, 0x5f, 0x49, 0x4b, 0x5f, 0x32, 0x35, 0x35,
  0x31, 0x39, 0x5f, 0x43, 0x68, 0x61, 0x43, 0x68, 0x61, 0x50, 0x6f, 0x6c,
  0x79, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36,
]);
const PROTOCOL_XX: usize = memory.data<u8>([
  0x4e, 0x6f, 0x69, 0x73, 0x65, 0x5f, 0x58, 0x58, 0x5f, 0x32, 0x35, 0x35,
  0x31, 0x39, 0x5f, 0x43, 0x68, 0x61, 0x43, 0x68, 0x61, 0x50, 0x6f, 0x6c,
  0x79, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36,
]);
const PATTERN_IK: usize = memory.data<u8>([
  TOKEN_E, TOKEN_ES, TOKEN_S, TOKEN_SS, TOKEN_END,
  TOKEN_E, TOKEN_EE, TOKEN_SE, TOKEN_END,
]);
const PATTERN_XX: usize = memory.data<u8>([
  TOKEN_E, TOKEN_END,
  TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES, TOKEN_END,
  TOKEN_S, TOKEN_SE, TOKEN_END,
]);

/** Pattern ids for test_noise_start. */
const IK: u32 = 0;
const XX: u32 = 1;
const IKPSK2: u32 = 2;
const XXPSK3: u32 = 3;

/**
 * Starts an initiator handshake: pattern 0 IK, 1 XX, 2 IKpsk2, 3 XXpsk3; the
 * static private key at staticOff, the responder's static public key at
 * remoteStaticOff (IK patterns), the 32-byte psk at pskOff (psk patterns).
 */
export function test_noise_start(pattern: u32, prologueOff: u32, prologueLen: u32,
  staticOff: u32, remoteStaticOff: u32, pskOff: u32): i32 {
  if (pattern > XXPSK3 || !ioFits(prologueOff, prologueLen) || !ioFits(staticOff, 32)
    || !ioFits(remoteStaticOff, 32) || !ioFits(pskOff, 32)) return HAL_EINVAL;
  noiseWipe();
  copy(HS + HS_S, IO + staticOff, 32);
  x25519Base(HS + HS_SPUB, HS + HS_S);
  copy(HS + HS_RS, IO + remoteStaticOff, 32);
  copy(HS + HS_PSK, IO + pskOff, 32);
  const ik = pattern == IK || pattern == IKPSK2;
  const psk = pattern >= IKPSK2;
  const tokens = pattern == IK ? PATTERN_IK : pattern == XX ? PATTERN_XX : pattern == IKPSK2 ? PATTERN_IKPSK2 : PATTERN_XXPSK3;
  const name = pattern == IK ? PROTOCOL_IK : pattern == XX ? PROTOCOL_XX : pattern == IKPSK2 ? PROTOCOL_IKPSK2 : PROTOCOL_XXPSK3;
  noiseInit(tokens, name, psk ? 36 : 32, IO + prologueOff, prologueLen, psk, ik);
  return HAL_OK;
}

/** Writes the initiator's next handshake message to outOff with the ephemeral private key at ephemeralOff; returns its length. */
export function test_noise_write(ephemeralOff: u32, payloadOff: u32, payloadLen: u32, outOff: u32): i32 {
  if (!ioFits(ephemeralOff, 32) || !ioFits(payloadOff, payloadLen) || !ioFits(outOff, payloadLen + 128)) return HAL_EINVAL;
  copy(HS + HS_E, IO + ephemeralOff, 32);
  return noiseWriteMessage(IO + outOff, IO + payloadOff, payloadLen);
}

/** Reads the responder's next handshake message; returns the payload length (payload at outOff) or -1. */
export function test_noise_read(msgOff: u32, msgLen: u32, outOff: u32): i32 {
  if (!ioFits(msgOff, msgLen) || !ioFits(outOff, msgLen)) return HAL_EINVAL;
  return noiseReadMessage(IO + msgOff, msgLen, IO + outOff);
}

/** Copies the handshake hash h (32 bytes) to outOff. */
export function test_noise_hash(outOff: u32): i32 {
  if (!ioFits(outOff, 32)) return HAL_EINVAL;
  copy(IO + outOff, HS + HS_H, 32);
  return HAL_OK;
}

/** Split(): installs the transport keys as the current session (send = initiator's key), wipes the handshake. */
export function test_noise_split(): i32 {
  sessionWipe(SESSION_CURRENT);
  sessionInstall(1, 1, 0);
  noiseWipe();
  return HAL_OK;
}

/** Seals len bytes with the current session's send key and next counter; ciphertext || tag at outOff. Returns its length. */
export function test_transport_seal(ptOff: u32, len: u32, outOff: u32): i32 {
  if (!ioFits(ptOff, len) || len > 1400 || !ioFits(outOff, len + 16)) return HAL_EINVAL;
  copy(MSG + TRANSPORT_HEADER_BYTES, IO + ptOff, len);
  const n = sessionSeal(SESSION_CURRENT, MSG, len);
  if (n < 0) return n;
  copy(IO + outOff, MSG + TRANSPORT_HEADER_BYTES, len + 16);
  return n - <i32>TRANSPORT_HEADER_BYTES;
}

/**
 * Opens ciphertext || tag (ctLen bytes) sent with `counter` under the current
 * session's receive key (UDP rules: replay window); plaintext at outOff.
 * Returns the plaintext length or a negative sessionOpen result.
 */
export function test_transport_open(counter: u64, ctOff: u32, ctLen: u32, outOff: u32): i32 {
  if (ctLen < 16 || ctLen > 1400 || !ioFits(ctOff, ctLen) || !ioFits(outOff, ctLen)) return HAL_EINVAL;
  store<u32>(MSG, MSG_TRANSPORT);
  store<u32>(MSG, 1, 4);
  store<u64>(MSG, counter, 8);
  copy(MSG + TRANSPORT_HEADER_BYTES, IO + ctOff, ctLen);
  const n = sessionOpen(SESSION_CURRENT, MSG, ctLen + TRANSPORT_HEADER_BYTES, false);
  if (n >= 0) copy(IO + outOff, MSG + TRANSPORT_HEADER_BYTES, <usize>n);
  return n;
}

/** Clears the current session's replay window (for test_replay). */
export function test_replay_reset(): void {
  sessionWipe(SESSION_CURRENT);
}

/** Offers a counter to the replay window: 1 accepted (and recorded), 0 refused. */
export function test_replay(counter: u64): i32 {
  const w = SESSION_CURRENT + S_REPLAY;
  if (!replayCheck(w, counter)) return 0;
  replayUpdate(w, counter);
  return 1;
}
