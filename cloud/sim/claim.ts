// The binary claim bundle fw_enroll takes (firmware/protocol/conf.ts), made
// from the claim bundle the relay issued (cloud/app/claim-bundle.ts) and the
// owner's own did:key. The owner's key is the owner's to give (the core seals
// every reading to it): it is passed in by the owner, never taken from what the
// relay returned. SECRET: the result holds the claim token.
//
//   version(1) = 1 | transport(1): 0 UDP, 1 TCP | port(2, LE) | relay Ed25519 public key(32)
//   | claim_id(8) | claim_token(16) | owner Ed25519 public key(32)
//   | host_len(1), 1..64 | host(host_len)

import { ed25519FromDid } from '../keys/did.ts';
import type { ClaimBundle } from '../relay/claims.ts';

export type Transport = 'udp' | 'tcp';
/** conf.ts HOST_MAX_BYTES. */
export const DEVICE_HOST_MAX = 64;
const HEADER_BYTES = 93;

/** The fw_enroll form of `bundle` for `transport`, sealing to `ownerDid`. RangeError when the bundle does not offer the transport. */
export function deviceClaimBundle(bundle: ClaimBundle, transport: Transport, ownerDid: string): Uint8Array {
  const port = transport === 'udp' ? bundle.udpPort : bundle.tcpPort;
  if (port === undefined) throw new RangeError(`claim bundle: the relay offers no ${transport.toUpperCase()} port`);
  const host = new TextEncoder().encode(bundle.host);
  if (host.length < 1 || host.length > DEVICE_HOST_MAX) throw new RangeError(`claim bundle: host longer than ${DEVICE_HOST_MAX} bytes`);
  const owner = ed25519FromDid(ownerDid);
  const b = new Uint8Array(HEADER_BYTES + host.length);
  b[0] = 1;
  b[1] = transport === 'tcp' ? 1 : 0;
  b[2] = port & 0xff;
  b[3] = port >>> 8;
  b.set(ed25519FromDid(bundle.relayDid), 4);
  b.set(bundle.claimId, 36);
  b.set(bundle.claimToken, 44);
  b.set(owner, 60);
  b[92] = host.length;
  b.set(host, HEADER_BYTES);
  return b;
}
