// The claim bundle as one compact line an owner can paste, print or show as a
// QR code: `sealink1:` || base64url (no padding) of
//
//   version(1) = 1 | host_len(1) | host (ASCII, 1..253) | udp_port(2, BE) | tcp_port(2, BE)
//   | relay Ed25519 public key(32) | claim_id(8) | claim_token(16) | owner Ed25519 public key(32)
//
// A port of 0 means "not offered"; at least one must be. The relay key is the
// network's Ed25519 key (the device pins its X25519 form, protocol §3); the
// owner key is the one the device seals its readings to (docs/readings.md,
// reader 0). Decoding is strict: exact prefix, canonical base64url, exact
// length, valid host and keys; anything else throws. SECRET: claim_token (the
// whole string is secret until the claim is used or expires).

import { ed25519 } from '@noble/curves/ed25519.js';
import { CLAIM_ID_BYTES, CLAIM_TOKEN_BYTES } from '../protocol/constants.ts';
import { didFromEd25519, ed25519FromDid } from '../keys/did.ts';
import type { ClaimBundle } from '../relay/claims.ts';
import { isHost } from './config.ts';

export const CLAIM_BUNDLE_PREFIX = 'sealink1:';
export const CLAIM_BUNDLE_VERSION = 1;
const HOST_MAX = 253;

/** A malformed claim bundle string. */
export class ClaimBundleError extends Error {
  readonly code = 'CLAIM_BUNDLE_INVALID';
  constructor(message: string) {
    super(`claim bundle: ${message}`);
    this.name = 'ClaimBundleError';
  }
}

/**
 * What the device accepts (firmware/protocol/conf.ts): a canonical Ed25519
 * point that is not of small order (its X25519 form would make every shared
 * secret predictable; the device refuses such a bundle).
 */
function usableKey(key: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(key).isSmallOrder();
  } catch {
    return false;
  }
}

function checkPort(name: string, p: number | undefined): number {
  if (p === undefined) return 0;
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`${name}: expected 1..65535`);
  return p;
}

/** The single-line form of `bundle`. TypeError/RangeError for a bundle that cannot be encoded. */
export function encodeClaimBundle(bundle: ClaimBundle): string {
  const host = Buffer.from(bundle.host, 'ascii');
  if (!isHost(bundle.host) || host.length > HOST_MAX || host.toString('ascii') !== bundle.host) throw new TypeError('host: expected a host name or IP address');
  const udp = checkPort('udpPort', bundle.udpPort);
  const tcp = checkPort('tcpPort', bundle.tcpPort);
  if (udp === 0 && tcp === 0) throw new RangeError('at least one of udpPort, tcpPort');
  const relayKey = ed25519FromDid(bundle.relayDid);
  if (!usableKey(relayKey)) throw new RangeError('relayDid: not a usable Ed25519 key');
  if (typeof bundle.ownerDid !== 'string') throw new TypeError('ownerDid: expected a did:key string');
  const ownerKey = ed25519FromDid(bundle.ownerDid);
  if (!usableKey(ownerKey)) throw new RangeError('ownerDid: not a usable Ed25519 key');
  if (!(bundle.claimId instanceof Uint8Array) || bundle.claimId.length !== CLAIM_ID_BYTES) throw new RangeError(`claimId: expected ${CLAIM_ID_BYTES} bytes`);
  if (!(bundle.claimToken instanceof Uint8Array) || bundle.claimToken.length !== CLAIM_TOKEN_BYTES) throw new RangeError(`claimToken: expected ${CLAIM_TOKEN_BYTES} bytes`);
  const out = Buffer.alloc(2 + host.length + 4 + 32 + CLAIM_ID_BYTES + CLAIM_TOKEN_BYTES + 32);
  let at = 0;
  out[at++] = CLAIM_BUNDLE_VERSION;
  out[at++] = host.length;
  at += host.copy(out, at);
  at = out.writeUInt16BE(udp, at);
  at = out.writeUInt16BE(tcp, at);
  out.set(relayKey, at); at += 32;
  out.set(bundle.claimId, at); at += CLAIM_ID_BYTES;
  out.set(bundle.claimToken, at); at += CLAIM_TOKEN_BYTES;
  out.set(ownerKey, at);
  const s = CLAIM_BUNDLE_PREFIX + out.toString('base64url');
  out.fill(0);
  return s;
}

/** Parse a bundle string; throws ClaimBundleError for anything not exactly a v1 bundle. */
export function decodeClaimBundle(text: string): ClaimBundle {
  if (typeof text !== 'string') throw new TypeError('claim bundle: expected a string');
  const s = text.trim();
  if (!s.startsWith(CLAIM_BUNDLE_PREFIX)) throw new ClaimBundleError(`expected the prefix ${CLAIM_BUNDLE_PREFIX}`);
  const body = s.slice(CLAIM_BUNDLE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new ClaimBundleError('not base64url');
  const raw = Buffer.from(body, 'base64url');
  if (raw.toString('base64url') !== body) throw new ClaimBundleError('not canonical base64url');
  if (raw.length < 2 || raw[0] !== CLAIM_BUNDLE_VERSION) throw new ClaimBundleError(`unsupported version ${raw[0]}`);
  const hostLen = raw[1];
  const want = 2 + hostLen + 4 + 32 + CLAIM_ID_BYTES + CLAIM_TOKEN_BYTES + 32;
  if (hostLen === 0 || raw.length !== want) throw new ClaimBundleError(`expected ${want} bytes, got ${raw.length}`);
  let at = 2;
  const host = raw.subarray(at, at + hostLen).toString('latin1'); at += hostLen;
  if (!isHost(host)) throw new ClaimBundleError('bad host');
  const udp = raw.readUInt16BE(at); at += 2;
  const tcp = raw.readUInt16BE(at); at += 2;
  if (udp === 0 && tcp === 0) throw new ClaimBundleError('no port');
  const relayKey = new Uint8Array(raw.subarray(at, at + 32)); at += 32;
  if (!usableKey(relayKey)) throw new ClaimBundleError('relay key is not an Ed25519 point of large order');
  const claimId = new Uint8Array(raw.subarray(at, at + CLAIM_ID_BYTES)); at += CLAIM_ID_BYTES;
  const claimToken = new Uint8Array(raw.subarray(at, at + CLAIM_TOKEN_BYTES)); at += CLAIM_TOKEN_BYTES;
  const ownerKey = new Uint8Array(raw.subarray(at, at + 32));
  raw.fill(0);
  if (!usableKey(ownerKey)) { claimToken.fill(0); throw new ClaimBundleError('owner key is not an Ed25519 point of large order'); }
  const bundle: ClaimBundle = { relayDid: didFromEd25519(relayKey), host, claimId, claimToken, ownerDid: didFromEd25519(ownerKey) };
  if (udp !== 0) bundle.udpPort = udp;
  if (tcp !== 0) bundle.tcpPort = tcp;
  return bundle;
}
