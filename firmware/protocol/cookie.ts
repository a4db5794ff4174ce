// mac1 / mac2 and the cookie reply (docs/protocol.md §4, §5), WireGuard's
// denial-of-service defence with HMAC-SHA256 in place of keyed BLAKE2s:
//   mac1 = MAC16(HASH("mac1----" || S_relay || key), msg[0 : offset of mac1])
//          key = claim_psk for ENROLL_INIT, admission_key for SESSION_INIT
//   mac2 = MAC16(cookie, msg[0 : offset of mac2]), zero without a fresh cookie
//   COOKIE_REPLY carries AEAD(HASH("cookie--" || S_relay), nonce, mac1, cookie)
// The relay checks mac1 before any Diffie-Hellman, so a stranger costs it one
// HMAC; under load it wants mac2, which proves the sender receives at its
// source address.

import { sha256 } from "../crypto/sha256";
import { hmacSha256 } from "../crypto/hmac";
import { aeadOpen } from "../crypto/aead";
import { wipe, copy } from "../crypto/ct";
import { STATUS_OK } from "../status";
import { COOKIE_STATE, SCRATCH } from "./mem";
import { SCRATCH_KDF } from "./noise";
import { CONF_RELAY_STATIC } from "./conf";
import { MAC_BYTES, COOKIE_REPLY_NONCE_OFF, COOKIE_REPLY_COOKIE_OFF } from "./wire";

/** A cookie is used for this long after it arrived (§5: R_secret changes every 120 s). */
export const COOKIE_LIFETIME_MS: u64 = 120_000;

const C_COOKIE: usize = 0;     // 16
const C_LAST_MAC1: usize = 16; // 16: mac1 of the last handshake message sent (the reply's AAD)
const C_RECEIVED_MS: usize = 32; // u64
const C_VALID: usize = 40;     // u32

// "mac1----" and "cookie--" (§4, §5)
const LABEL_MAC1: usize = memory.data<u8>([0x6d, 0x61, 0x63, 0x31, 0x2d, 0x2d, 0x2d, 0x2d]);
const LABEL_COOKIE: usize = memory.data<u8>([0x63, 0x6f, 0x6f, 0x6b, 0x69, 0x65, 0x2d, 0x2d]);

/** out = HASH(label || S_relay || extra), extra of extraLen bytes (0 or 32). */
function labelKey(out: usize, label: usize, extra: usize, extraLen: usize): void {
  const buf = SCRATCH + SCRATCH_KDF; // 8 + 32 + 32 bytes
  copy(buf, label, 8);
  copy(buf + 8, CONF_RELAY_STATIC, 32);
  copy(buf + 40, extra, extraLen);
  sha256(out, buf, 40 + extraLen);
  wipe(buf, 72);
}

/** MAC16(key, data): the first 16 bytes of HMAC-SHA256 into out. */
function mac16(out: usize, key: usize, keyLen: usize, data: usize, len: usize): void {
  const full = SCRATCH + SCRATCH_KDF + 72;
  hmacSha256(full, key, keyLen, data, len);
  copy(out, full, MAC_BYTES);
  wipe(full, 32);
}

/**
 * Writes mac1 and mac2 at msg + mac1Off and msg + mac1Off + 16. `key` is the
 * 32-byte secret that keys mac1 for this message type.
 */
export function macsWrite(msg: usize, mac1Off: usize, key: usize, now: u64): void {
  const k = SCRATCH + SCRATCH_KDF + 104;
  labelKey(k, LABEL_MAC1, key, 32);
  mac16(msg + mac1Off, k, 32, msg, mac1Off);
  wipe(k, 32);
  copy(COOKIE_STATE + C_LAST_MAC1, msg + mac1Off, MAC_BYTES);
  const mac2 = msg + mac1Off + MAC_BYTES;
  if (load<u32>(COOKIE_STATE + C_VALID) != 0 && now < load<u64>(COOKIE_STATE + C_RECEIVED_MS) + COOKIE_LIFETIME_MS) {
    mac16(mac2, COOKIE_STATE + C_COOKIE, MAC_BYTES, msg, mac1Off + MAC_BYTES);
  } else {
    wipe(mac2, MAC_BYTES);
  }
}

/**
 * Takes the cookie out of a COOKIE_REPLY (length already checked, receiver
 * already matched to the handshake in flight). Returns true when it
 * authenticated under the last mac1 sent; only then is the cookie replaced.
 */
export function cookieAccept(msg: usize, now: u64): bool {
  const k = SCRATCH + SCRATCH_KDF + 104;
  labelKey(k, LABEL_COOKIE, 0, 0);
  const cookie = SCRATCH + SCRATCH_KDF + 72;
  const ok = aeadOpen(cookie, k, msg + COOKIE_REPLY_NONCE_OFF, COOKIE_STATE + C_LAST_MAC1, MAC_BYTES,
    msg + COOKIE_REPLY_COOKIE_OFF, MAC_BYTES, msg + COOKIE_REPLY_COOKIE_OFF + MAC_BYTES) == STATUS_OK;
  if (ok) {
    copy(COOKIE_STATE + C_COOKIE, cookie, MAC_BYTES);
    store<u64>(COOKIE_STATE + C_RECEIVED_MS, now);
    store<u32>(COOKIE_STATE + C_VALID, 1);
  }
  wipe(k, 32);
  wipe(cookie, MAC_BYTES);
  return ok;
}

/** True while a cookie is fresh (status record). */
export function cookieFresh(now: u64): bool {
  return (<u32>(load<u32>(COOKIE_STATE + C_VALID) != 0) & <u32>(now < load<u64>(COOKIE_STATE + C_RECEIVED_MS) + COOKIE_LIFETIME_MS)) != 0;
}
