// The device's binding to its relay network and its owner: where to connect,
// the pinned relay static key, the keys enrollment yields, and the owner's
// key its readings are sealed to. One 196-byte block (CONF), stored as-is:
// under sl.claim while enrolling, under sl.enr once enrolled.
//
// Claim bundle (the binary form fw_enroll takes; docs/protocol.md §3;
// integers little-endian):
//   version(1) = 1 | transport(1): 0 UDP, 1 TCP | port(2) | relay Ed25519 public key(32)
//   | claim_id(8) | claim_token(16) | owner Ed25519 public key(32)
//   | host_len(1), 1..64 | host(host_len): IP literal or name
//
// The owner's key comes with the claim, from the owner (out of band), never
// from the relay: the relay is not trusted with confidentiality, and a key it
// chose would let it open every reading (docs/readings.md, reader 0).

import { wipe, copy } from "../crypto/ct";
import { hkdfSha256 } from "../crypto/hkdf";
import { ed25519ToX25519Public } from "../crypto/ed25519";
import { HAL_OK, HAL_EINVAL } from "../hal.generated";
import { CONF, CONF_BYTES, SCRATCH } from "./mem";
import { SCRATCH_KDF } from "./noise";
import { KEY_CLAIM, KEY_CLAIM_BYTES, KEY_ENROLLED, KEY_ENROLLED_BYTES, storageGetExact, storagePut } from "./store";

// CONF layout.
export const CONF_RELAY_STATIC: usize = CONF;      // S_relay, X25519 (32), pinned
export const CONF_KEY_A: usize = CONF + 32;        // claim_psk while enrolling, then device_psk (32)
export const CONF_KEY_B: usize = CONF + 64;        // claim_id (8) while enrolling, then admission_key (32)
export const CONF_TRANSPORT: usize = CONF + 96;    // u8: 0 UDP, 1 TCP (hal_net_open)
export const CONF_HOST_LEN: usize = CONF + 97;     // u8
export const CONF_PORT: usize = CONF + 98;         // u16
export const CONF_HOST: usize = CONF + 100;        // up to 64 bytes
export const CONF_OWNER: usize = CONF + 164;       // the owner's X25519 key R_0 (32), did:key-derived
export const HOST_MAX_BYTES: u32 = 64;
export const CLAIM_ID_BYTES: u32 = 8;

export const CLAIM_BUNDLE_VERSION: u8 = 1;
const B_TRANSPORT: usize = 1;
const B_PORT: usize = 2;
const B_RELAY: usize = 4;
const B_CLAIM_ID: usize = 36;
const B_TOKEN: usize = 44;
const B_OWNER: usize = 60;
const B_HOST_LEN: usize = 92;
const B_HOST: usize = 93;
export const CLAIM_TOKEN_BYTES: u32 = 16;

// "sealink/1 claim psk" (docs/protocol.md §3)
const INFO_CLAIM_PSK: usize = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20, 0x63, 0x6c,
  0x61, 0x69, 0x6d, 0x20, 0x70, 0x73, 0x6b,
]);

/**
 * Parses a claim bundle into CONF (claim_psk = HKDF("", token, "sealink/1
 * claim psk", 32), §3). Returns HAL_OK, or HAL_EINVAL for a malformed bundle,
 * or a relay or owner key that is not an Ed25519 point of large order (CONF is
 * then unchanged).
 */
export function confFromClaimBundle(b: usize, len: u32): i32 {
  if (len < <u32>B_HOST + 1 || load<u8>(b) != CLAIM_BUNDLE_VERSION) return HAL_EINVAL;
  const hostLen = <u32>load<u8>(b + B_HOST_LEN);
  const transport = load<u8>(b + B_TRANSPORT);
  if (hostLen == 0 || hostLen > HOST_MAX_BYTES || len != <u32>B_HOST + hostLen || transport > 1) return HAL_EINVAL;
  // Validate the relay key before touching CONF, so a bad bundle leaves an
  // existing enrollment intact.
  // Both keys are public: the early returns leak nothing. A small-order owner
  // key is refused here too (ed25519ToX25519Public), so every epoch's HPKE
  // wrap to it succeeds later.
  const relay = SCRATCH + SCRATCH_KDF;
  const owner = relay + 32;
  if (ed25519ToX25519Public(relay, b + B_RELAY) != 0) return HAL_EINVAL;
  if (ed25519ToX25519Public(owner, b + B_OWNER) != 0) { wipe(relay, 32); return HAL_EINVAL; }
  wipe(CONF, CONF_BYTES);
  copy(CONF_RELAY_STATIC, relay, 32);
  copy(CONF_OWNER, owner, 32);
  wipe(relay, 64);
  hkdfSha256(CONF_KEY_A, 32, 0, 0, b + B_TOKEN, CLAIM_TOKEN_BYTES, INFO_CLAIM_PSK, 19);
  copy(CONF_KEY_B, b + B_CLAIM_ID, CLAIM_ID_BYTES);
  store<u8>(CONF_TRANSPORT, transport);
  store<u8>(CONF_HOST_LEN, <u8>hostLen);
  store<u16>(CONF_PORT, load<u16>(b + B_PORT));
  copy(CONF_HOST, b + B_HOST, hostLen);
  return HAL_OK;
}

/** Saves CONF as the claim in progress (survives a reboot during enrollment). */
export function confSaveClaim(): i32 {
  return storagePut(KEY_CLAIM, KEY_CLAIM_BYTES, CONF, <u32>CONF_BYTES);
}

/** Saves CONF as the enrollment result. */
export function confSaveEnrolled(): i32 {
  return storagePut(KEY_ENROLLED, KEY_ENROLLED_BYTES, CONF, <u32>CONF_BYTES);
}

/** Loads the claim in progress into CONF; HAL status (HAL_ENOENT: none). */
export function confLoadClaim(): i32 {
  return storageGetExact(KEY_CLAIM, KEY_CLAIM_BYTES, CONF, <u32>CONF_BYTES);
}

/** Loads the enrollment into CONF; HAL status (HAL_ENOENT: not enrolled). */
export function confLoadEnrolled(): i32 {
  return storageGetExact(KEY_ENROLLED, KEY_ENROLLED_BYTES, CONF, <u32>CONF_BYTES);
}
