// mac1 / mac2 and cookies (protocol §3, §4, §5; WireGuard §5.4.4 and §5.4.7).
//
//   mac1 key    = HASH("mac1----" || S_relay || secret)   secret: claim_psk (ENROLL_INIT) or admission_key (SESSION_INIT)
//   mac1        = MAC16(mac1 key, msg[0 : offset of mac1])
//   cookie      = MAC16(R_secret, source address || source port)
//   mac2        = MAC16(cookie, msg[0 : offset of mac2])       (zero without a fresh cookie)
//   COOKIE_REPLY payload = AEAD(HASH("cookie--" || S_relay), nonce, ad = mac1 of the answered message, cookie)

import { aeadOpen, aeadSeal, equalBytes, hash, hmac } from '../noise/crypto.ts';
import { COOKIE_BYTES, COOKIE_NONCE_BYTES, KEY_BYTES, LABEL_COOKIE, LABEL_MAC1, MAC_BYTES } from './constants.ts';

/** MAC16(k, m) = HMAC-SHA256(k, m)[0:16] (protocol §1). */
export function mac16(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return hmac(key, ...parts).subarray(0, MAC_BYTES);
}

/** HASH("mac1----" || S_relay || secret). */
export function mac1Key(relayStatic: Uint8Array, secret: Uint8Array): Uint8Array {
  if (relayStatic.length !== KEY_BYTES || secret.length !== KEY_BYTES) throw new RangeError('mac1Key: 32-byte inputs expected');
  return hash(LABEL_MAC1, relayStatic, secret);
}

/** HASH("cookie--" || S_relay): the COOKIE_REPLY AEAD key. */
export function cookieReplyKey(relayStatic: Uint8Array): Uint8Array {
  if (relayStatic.length !== KEY_BYTES) throw new RangeError('cookieReplyKey: 32-byte key expected');
  return hash(LABEL_COOKIE, relayStatic);
}

/**
 * Fill mac1 (at `mac1At`) and mac2 (right after it) of `msg` in place. mac2 is
 * zero when `cookie` is null.
 */
export function writeMacs(msg: Uint8Array, mac1At: number, key: Uint8Array, cookie: Uint8Array | null): void {
  msg.set(mac16(key, msg.subarray(0, mac1At)), mac1At);
  const mac2At = mac1At + MAC_BYTES;
  if (cookie === null) msg.fill(0, mac2At, mac2At + MAC_BYTES);
  else msg.set(mac16(cookie, msg.subarray(0, mac2At)), mac2At);
}

/** Constant-time check of mac1 at `mac1At`. */
export function verifyMac1(msg: Uint8Array, mac1At: number, key: Uint8Array): boolean {
  return equalBytes(mac16(key, msg.subarray(0, mac1At)), msg.subarray(mac1At, mac1At + MAC_BYTES));
}

/** Constant-time check of mac2 at `mac2At` under `cookie`. */
export function verifyMac2(msg: Uint8Array, mac2At: number, cookie: Uint8Array): boolean {
  return equalBytes(mac16(cookie, msg.subarray(0, mac2At)), msg.subarray(mac2At, mac2At + MAC_BYTES));
}

const encoder = new TextEncoder();

/**
 * "source address || source port" for the cookie: the address as the socket
 * reports it (UTF-8), then the port as 2 bytes BE. Relay-internal (only the relay
 * computes cookies), so the encoding is not part of the wire contract.
 */
export function sourceBytes(address: string, port: number): Uint8Array {
  const a = encoder.encode(address);
  const out = new Uint8Array(a.length + 2);
  out.set(a);
  out[a.length] = (port >>> 8) & 0xff;
  out[a.length + 1] = port & 0xff;
  return out;
}

/** cookie = MAC16(R_secret, source). */
export function makeCookie(rSecret: Uint8Array, source: Uint8Array): Uint8Array {
  return mac16(rSecret, source);
}

/** AEAD(HASH("cookie--" || S_relay), nonce, mac1, cookie): 32 bytes. */
export function sealCookie(replyKey: Uint8Array, nonce: Uint8Array, mac1: Uint8Array, cookie: Uint8Array): Uint8Array {
  if (nonce.length !== COOKIE_NONCE_BYTES || cookie.length !== COOKIE_BYTES) throw new RangeError('sealCookie: bad sizes');
  return aeadSeal(replyKey, nonce, mac1, cookie);
}

/** The cookie of a COOKIE_REPLY, or null when it does not authenticate against our mac1. */
export function openCookie(replyKey: Uint8Array, nonce: Uint8Array, mac1: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (nonce.length !== COOKIE_NONCE_BYTES || sealed.length !== COOKIE_BYTES + 16) return null;
  return aeadOpen(replyKey, nonce, mac1, sealed);
}
