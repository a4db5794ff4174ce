// Enrollment, device side (docs/protocol.md §3):
// Noise_XXpsk3_25519_ChaChaPoly_SHA256 with claim_psk, prologue
// "sealink/1 enroll" || claim_id; the device pins S_relay from the claim
// bundle and refuses a relay that presents another static key.
//   ENROLL_INIT   = type=5 | sender | claim_id | e | enc_payload(16) | zero(16) | mac1 | mac2
//   ENROLL_RESP   = type=6 | sender | receiver | e | enc_s | enc_payload(16)
//                   (its header, bytes 0-11, is hashed before it is read: §2)
//   ENROLL_FINISH = type=7 | receiver | enc_s | enc_payload(32 + 16), payload = Ed25519 public key
// After message 3: device_psk = HKDF(ck, "", "sealink/1 device psk", 32) and
// Split() keys for the one TRANSPORT record (ENROLLED) the relay answers with.

import { wipe, copy, ctVerify } from "../crypto/ct";
import { hkdfSha256 } from "../crypto/hkdf";
import { HAL_OK, hal_rng_fill } from "../hal.generated";
import { HS, SCRATCH } from "./mem";
import {
  TOKEN_E, TOKEN_S, TOKEN_EE, TOKEN_ES, TOKEN_SE, TOKEN_PSK, TOKEN_END,
  HS_CK, HS_E, HS_RE, HS_RS, HS_S, HS_SPUB, HS_PSK, HS_RESULT, SCRATCH_KDF,
  noiseInit, noiseWriteMessage, noiseReadMessageBound,
} from "./noise";
import { CONF_RELAY_STATIC, CONF_KEY_A, CONF_KEY_B, CLAIM_ID_BYTES } from "./conf";
import { ID_ED25519, ID_X25519, identityStaticSecret } from "./identity";
import { macsWrite } from "./cookie";
import { ERR_STORAGE, ERR_RNG, ERR_HANDSHAKE } from "./status";
import { PROLOGUE, PROLOGUE_ENROLL_BYTES } from "./handshake";
import {
  MSG_ENROLL_INIT, ENROLL_INIT_BYTES, ENROLL_INIT_CLAIM_OFF, ENROLL_INIT_NOISE_OFF, ENROLL_INIT_MAC1_OFF,
  MSG_ENROLL_FINISH, ENROLL_FINISH_BYTES, ENROLL_FINISH_NOISE_OFF, ENROLL_RESP_NOISE_OFF,
  INDEX_SENDER_OFF, putHeader,
} from "./wire";

// "Noise_XXpsk3_25519_ChaChaPoly_SHA256"
export const PROTOCOL_XXPSK3: usize = memory.data<u8>([
  0x4e, 0x6f, 0x69, 0x73, 0x65, 0x5f, 0x58, 0x58, 0x70, 0x73, 0x6b, 0x33,
  0x5f, 0x32, 0x35, 0x35, 0x31, 0x39, 0x5f, 0x43, 0x68, 0x61, 0x43, 0x68,
  0x61, 0x50, 0x6f, 0x6c, 0x79, 0x5f, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36,
]);
/** XXpsk3 (Noise §7.5, §9): -> e  <- e, ee, s, es  -> s, se, psk */
export const PATTERN_XXPSK3: usize = memory.data<u8>([
  TOKEN_E, TOKEN_END,
  TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES, TOKEN_END,
  TOKEN_S, TOKEN_SE, TOKEN_PSK, TOKEN_END,
]);
// "sealink/1 device psk" (§3)
const INFO_DEVICE_PSK: usize = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20, 0x64, 0x65,
  0x76, 0x69, 0x63, 0x65, 0x20, 0x70, 0x73, 0x6b,
]);

/** enrollRespRead results. */
export const RESP_OK: i32 = 0;
export const RESP_DROP: i32 = -1;       // did not authenticate: state unchanged
export const RESP_WRONG_RELAY: i32 = -2; // authentic Noise, but the relay's static key is not the pinned one

/**
 * Builds ENROLL_INIT at msg with a fresh ephemeral (CONF holds the claim).
 * Returns its length or -ERR_* (status.ts); the caller wipes HS on failure.
 */
export function enrollInitWrite(msg: usize, localIndex: u32, now: u64): i32 {
  if (hal_rng_fill(HS + HS_E, 32) != HAL_OK) return -ERR_RNG;
  if (identityStaticSecret(HS + HS_S) != HAL_OK) return -ERR_STORAGE;
  copy(HS + HS_SPUB, ID_X25519, 32);
  copy(HS + HS_PSK, CONF_KEY_A, 32);
  // Prologue "sealink/1 enroll" || claim_id, assembled where the relay's
  // ephemeral will go (unused until message 2).
  const prologue = HS + HS_RE;
  copy(prologue, PROLOGUE, PROLOGUE_ENROLL_BYTES);
  copy(prologue + PROLOGUE_ENROLL_BYTES, CONF_KEY_B, CLAIM_ID_BYTES);
  noiseInit(PATTERN_XXPSK3, PROTOCOL_XXPSK3, 36, prologue, PROLOGUE_ENROLL_BYTES + CLAIM_ID_BYTES, true, false);
  wipe(prologue, 32);
  putHeader(msg, MSG_ENROLL_INIT);
  store<u32>(msg + INDEX_SENDER_OFF, localIndex);
  copy(msg + ENROLL_INIT_CLAIM_OFF, CONF_KEY_B, CLAIM_ID_BYTES);
  // "-> e" cannot fail (no DH); with psk3 the e token keys the cipher, so the
  // empty payload is a 16-byte tag; zero padding follows (§2: no amplification).
  const n = noiseWriteMessage(msg + ENROLL_INIT_NOISE_OFF, 0, 0);
  wipe(msg + ENROLL_INIT_NOISE_OFF + <usize>n, ENROLL_INIT_MAC1_OFF - ENROLL_INIT_NOISE_OFF - <usize>n);
  macsWrite(msg, ENROLL_INIT_MAC1_OFF, CONF_KEY_A, now);
  return <i32>ENROLL_INIT_BYTES;
}

/**
 * Reads ENROLL_RESP (length and receiver already checked) and checks the
 * relay's static key against the pinned S_relay. RESP_WRONG_RELAY means an
 * interception attempt or a misconfigured relay: the caller aborts (§8).
 * The header [0, 12) is hashed first, as the relay did before writing (§2):
 * a rewritten sender index fails authentication (RESP_DROP, state unchanged).
 */
export function enrollRespRead(msg: usize): i32 {
  if (noiseReadMessageBound(msg, ENROLL_RESP_NOISE_OFF, msg + ENROLL_RESP_NOISE_OFF, 96, SCRATCH + SCRATCH_KDF) != 0) return RESP_DROP;
  // Public keys, but compared in constant time anyway: nothing to lose.
  return ctVerify(HS + HS_RS, CONF_RELAY_STATIC, 32) * -RESP_WRONG_RELAY; // 0 equal, -1 not: RESP_OK or RESP_WRONG_RELAY
}

/**
 * Builds ENROLL_FINISH at msg (receiver = the relay's sender index), then
 * derives device_psk into HS_RESULT and leaves the chaining key for Split().
 * Returns its length, or -ERR_HANDSHAKE when a DH result was zero.
 */
export function enrollFinishWrite(msg: usize, remoteIndex: u32): i32 {
  putHeader(msg, MSG_ENROLL_FINISH);
  store<u32>(msg + INDEX_SENDER_OFF, remoteIndex);
  if (noiseWriteMessage(msg + ENROLL_FINISH_NOISE_OFF, ID_ED25519, 32) < 0) return -ERR_HANDSHAKE;
  hkdfSha256(HS + HS_RESULT, 32, HS + HS_CK, 32, 0, 0, INFO_DEVICE_PSK, 20);
  // The static and ephemeral secrets have no further use.
  wipe(HS + HS_E, 32);
  wipe(HS + HS_S, 32);
  return <i32>ENROLL_FINISH_BYTES;
}
