// The ENROLL_INIT replay filter (protocol §3, §8): per claim, the device
// ephemerals `e` the relay has already answered with an ENROLL_RESP. A copy of
// an answered ENROLL_INIT (an observer replaying it: mac1 is still valid) is
// dropped before any DH, so it can neither replace the enrollment in progress
// nor cost three X25519 operations again. A device's genuine retry always
// carries a fresh `e` (§3), and its resend of the same ENROLL_INIT with mac2
// after a COOKIE_REPLY (§5) is not affected: that `e` was cookied, not answered.
//
// Entries live until their claim expires (after that the claim check drops the
// message anyway). Only holders of the claim token can add entries (mac1), so
// the size per claim is the device's own retry count; the cap only bounds a
// misbehaving device (the oldest entry goes first).

export const MAX_ANSWERED_PER_CLAIM = 4096;

interface PerClaim { expiresAt: number; seen: Set<string> }

export class AnsweredEphemerals {
  private readonly byClaim = new Map<string, PerClaim>();

  constructor(private readonly maxPerClaim = MAX_ANSWERED_PER_CLAIM) {}

  private static key(e: Uint8Array): string {
    return Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('hex');
  }

  /** Has `e` been answered for the claim `claimKey`? */
  has(claimKey: string, e: Uint8Array): boolean {
    return this.byClaim.get(claimKey)?.seen.has(AnsweredEphemerals.key(e)) ?? false;
  }

  /** Remember that `e` was answered for `claimKey` (a claim valid until `expiresAt`). */
  add(claimKey: string, e: Uint8Array, expiresAt: number): void {
    let c = this.byClaim.get(claimKey);
    if (c === undefined) { c = { expiresAt, seen: new Set() }; this.byClaim.set(claimKey, c); }
    c.seen.add(AnsweredEphemerals.key(e));
    if (c.seen.size > this.maxPerClaim) c.seen.delete(c.seen.values().next().value!);
  }

  /** Forget the claims expired at `now`. */
  sweep(now: number): void {
    for (const [k, c] of this.byClaim) if (now >= c.expiresAt) this.byClaim.delete(k);
  }

  clear(): void {
    this.byClaim.clear();
  }

  /** Claims tracked (tests). */
  get claims(): number {
    return this.byClaim.size;
  }
}
