// A relay-side enrollment between ENROLL_RESP and ENROLL_FINISH, then the
// answered ENROLL_FINISH kept to re-answer its retransmission (protocol §3).

import type { HandshakeState } from '../noise/handshake-state.ts';
import type { ClaimRecord } from './registry.ts';

export class EnrollmentState {
  readonly kind = 'enrollment' as const;
  /** Set once ENROLL_FINISH has been accepted: the exact message and our ENROLLED answer. */
  done: { finish: Uint8Array; enrolled: Uint8Array } | null = null;
  /** ENROLL_FINISH is being processed (registry calls in flight). */
  busy = false;

  /** Our copy of the claim (its PSK is zeroed on wipe(); the registry's record is left alone). */
  readonly claim: ClaimRecord;

  constructor(
    readonly index: number,
    readonly peerIndex: number,
    claim: ClaimRecord,
    public hs: HandshakeState | null,
    readonly createdAt: number,
  ) {
    this.claim = { ...claim, claimId: claim.claimId.slice(), claimPsk: claim.claimPsk.slice() };
  }

  wipe(): void {
    this.hs?.wipe();
    this.hs = null;
    this.claim.claimPsk.fill(0);
  }
}
