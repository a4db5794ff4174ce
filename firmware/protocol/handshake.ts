// Session handshake, device side (docs/protocol.md §4):
// Noise_IKpsk2_25519_ChaChaPoly_SHA256, the WireGuard pattern. The device is
// the initiator, knows S_relay (pinned at enrollment) and uses device_psk.
//   SESSION_INIT = type=1 | sender | e | enc_s | enc_counter(8 + 16) | mac1 | mac2
//   SESSION_RESP = type=2 | sender | receiver | e | enc_payload(16)
// The response's header (bytes 0-11) is hashed before message 2 is read, so
// the relay's sender index is authenticated (docs/protocol.md §2).
// The payload of SESSION_INIT is the initiation counter, strictly increasing
// for the life of the device so a replayed initiation is refused. It is
// reserved in storage before use (write-ahead, COUNTER_RESERVE at a time), so
// a reboot skips ahead and never repeats a value.

import { copy } from "../crypto/ct";
import { HAL_OK, HAL_ENOENT, hal_rng_fill } from "../hal.generated";
import { HS, COUNTER, SCRATCH } from "./mem";
import {
  TOKEN_E, TOKEN_S, TOKEN_EE, TOKEN_ES, TOKEN_SE, TOKEN_SS, TOKEN_PSK, TOKEN_END,
  HS_E, HS_RS, HS_S, HS_SPUB, HS_PSK, SCRATCH_KDF, noiseInit, noiseWriteMessage, noiseReadMessageBound,
} from "./noise";
import { CONF_RELAY_STATIC, CONF_KEY_A, CONF_KEY_B } from "./conf";
import { ID_X25519, identityStaticSecret } from "./identity";
import { macsWrite } from "./cookie";
import { ERR_STORAGE, ERR_RNG, ERR_HANDSHAKE } from "./status";
import { KEY_COUNTER, KEY_COUNTER_BYTES, storageGetExact, storagePut } from "./store";
import {
  MSG_SESSION_INIT, SESSION_INIT_BYTES, SESSION_INIT_NOISE_OFF, SESSION_INIT_MAC1_OFF,
  SESSION_RESP_NOISE_OFF, INDEX_SENDER_OFF, putHeader,
} from "./wire";

/** Counter values reserved per storage write (§4). */
export const COUNTER_RESERVE: u64 = 16;
const C_NEXT: usize = 0;  // u64: next counter to send
const C_LIMIT: usize = 8; // u64: persisted; every value below it may have been used

// "Noise_IKpsk2_25519_ChaChaPoly_SHA256"
export const PROTOCOL_IKPSK2: usize = memory.data<u8>([
  0x4e, 0x6f, 0x69, 0x73, 0x65, 0x5f, 0x49, 0x4b, 0x70, 0x73, 0x6b, 0x32,
  0x5f, 0x32, 0x35, 0x35, 0x31, 0x39, 0x5f, 0x43, 0x68, 0x61, 0x43, 0x68,
  0x61, 0x50, 0x6f, 0x6c, 0x79, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36,
]);
/** IKpsk2 (Noise §7.5, §9): <- s ... -> e, es, s, ss  <- e, ee, se, psk */
export const PATTERN_IKPSK2: usize = memory.data<u8>([
  TOKEN_E, TOKEN_ES, TOKEN_S, TOKEN_SS, TOKEN_END,
  TOKEN_E, TOKEN_EE, TOKEN_SE, TOKEN_PSK, TOKEN_END,
]);
/** "sealink/1 enroll": its first 9 bytes are the session prologue "sealink/1" (§4). */
export const PROLOGUE: usize = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20, 0x65, 0x6e, 0x72, 0x6f, 0x6c, 0x6c,
]);
export const PROLOGUE_SESSION_BYTES: usize = 9;
export const PROLOGUE_ENROLL_BYTES: usize = 16;

/**
 * Loads the reservation after boot: every value below it may have been sent
 * before the reset. Never stored (first boot): start at 1, so the first
 * initiation is above a relay's initial "last accepted" whether that is 0 or
 * nothing; re-enrollment keeps counting up, never back.
 */
export function counterLoad(): i32 {
  const st = storageGetExact(KEY_COUNTER, KEY_COUNTER_BYTES, COUNTER + C_LIMIT, 8);
  if (st == HAL_ENOENT) store<u64>(COUNTER + C_LIMIT, 1);
  else if (st != HAL_OK) return st;
  store<u64>(COUNTER + C_NEXT, load<u64>(COUNTER + C_LIMIT));
  return HAL_OK;
}

/** The next initiation counter, reserving a new block first when needed; negative HAL status on failure. */
function counterTake(out: usize): i32 {
  const n = load<u64>(COUNTER + C_NEXT);
  if (n >= load<u64>(COUNTER + C_LIMIT)) {
    const limit = n + COUNTER_RESERVE;
    store<u64>(SCRATCH + SCRATCH_KDF, limit);
    const st = storagePut(KEY_COUNTER, KEY_COUNTER_BYTES, SCRATCH + SCRATCH_KDF, 8);
    if (st < 0) return st;
    store<u64>(COUNTER + C_LIMIT, limit);
  }
  store<u64>(COUNTER + C_NEXT, n + 1);
  store<u64>(out, n);
  return HAL_OK;
}

/** The next counter a SESSION_INIT will carry (status record). */
export function counterNext(): u64 {
  return load<u64>(COUNTER + C_NEXT);
}

/**
 * Builds SESSION_INIT at msg with a fresh ephemeral and the next counter.
 * Returns its length or -ERR_* (status.ts); the caller wipes HS on failure.
 * On success the handshake state stays in HS for the response.
 */
export function sessionInitWrite(msg: usize, localIndex: u32, now: u64): i32 {
  const payload = msg + SESSION_INIT_MAC1_OFF; // mac1's place holds the plaintext until it is encrypted
  if (counterTake(payload) != HAL_OK) return -ERR_STORAGE;
  if (hal_rng_fill(HS + HS_E, 32) != HAL_OK) return -ERR_RNG;
  if (identityStaticSecret(HS + HS_S) != HAL_OK) return -ERR_STORAGE;
  copy(HS + HS_RS, CONF_RELAY_STATIC, 32);
  copy(HS + HS_SPUB, ID_X25519, 32);
  copy(HS + HS_PSK, CONF_KEY_A, 32);
  noiseInit(PATTERN_IKPSK2, PROTOCOL_IKPSK2, 36, PROLOGUE, PROLOGUE_SESSION_BYTES, true, true);
  putHeader(msg, MSG_SESSION_INIT);
  store<u32>(msg + INDEX_SENDER_OFF, localIndex);
  if (noiseWriteMessage(msg + SESSION_INIT_NOISE_OFF, payload, 8) < 0) return -ERR_HANDSHAKE;
  // The ephemeral's only remaining use is ee in the response.
  macsWrite(msg, SESSION_INIT_MAC1_OFF, CONF_KEY_B, now);
  return <i32>SESSION_INIT_BYTES;
}

/**
 * Reads SESSION_RESP (length and receiver already checked). True when it
 * authenticated. Its header [0, 12) (type, sender, receiver) is hashed first,
 * as the relay did before writing (§2), so the tag also vouches for the
 * relay's index: a rewritten one fails here and the genuine reply still works.
 */
export function sessionRespRead(msg: usize): bool {
  // The payload is empty: only its tag is checked, nothing is written.
  return noiseReadMessageBound(msg, SESSION_RESP_NOISE_OFF, msg + SESSION_RESP_NOISE_OFF, 48, SCRATCH + SCRATCH_KDF) == 0;
}
