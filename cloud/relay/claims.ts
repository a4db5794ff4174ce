// Creating a claim (protocol §3): claim_id (8 random public bytes) and
// claim_token (16 random secret bytes), valid CLAIM_LIFETIME, usable once.

import { randomBytes } from 'node:crypto';
import { CLAIM_ID_BYTES, CLAIM_LIFETIME, CLAIM_TOKEN_BYTES } from '../protocol/constants.ts';
import { claimPsk } from '../protocol/keys.ts';
import type { ClaimRecord } from './registry.ts';

/** What the owner hands to the device (with the relay address). SECRET: claimToken. */
export interface ClaimBundle {
  /** did:key of the relay network key (the device pins its X25519 key). */
  relayDid: string;
  host: string;
  udpPort?: number;
  tcpPort?: number;
  claimId: Uint8Array;
  claimToken: Uint8Array;
  /**
   * did:key of the owner the device seals its readings to (reader 0,
   * docs/readings.md). Put in by the owner's own tools (`sealink claim
   * create` uses the local owner key), never taken on the relay's word: the
   * relay is not trusted with confidentiality.
   */
  ownerDid: string;
}

export interface NewClaim {
  /** Store this in the registry. */
  record: ClaimRecord;
  claimId: Uint8Array;
  /** SECRET: give it to the device only. */
  claimToken: Uint8Array;
}

/** A fresh claim for `owner`, expiring `lifetimeMs` after `now`. */
export function createClaim(owner: string, now: number, lifetimeMs: number = CLAIM_LIFETIME,
  random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): NewClaim {
  const claimId = random(CLAIM_ID_BYTES);
  const claimToken = random(CLAIM_TOKEN_BYTES);
  return {
    record: { claimId: claimId.slice(), claimPsk: claimPsk(claimToken), expiresAt: now + lifetimeMs, used: false, owner },
    claimId,
    claimToken,
  };
}
