// Counters of the channel layer. Every dropped message is counted under one
// reason (protocol §8: drop, count, no reply).

export const DROP_REASONS = [
  // decoding (§2, §8)
  'malformed-short', 'malformed-long', 'unknown-type', 'reserved-nonzero', 'wrong-size', 'padding-nonzero',
  'unexpected-type', 'tcp-bad-length',
  // handshakes (§3-§5)
  'mac1', 'rate-limited', 'unknown-claim', 'claim-expired', 'claim-used', 'handshake-auth', 'unknown-device',
  'revoked', 'replayed-initiation', 'replayed-enroll-init', 'enroll-key-mismatch', 'enroll-refused', 'unknown-index', 'registry-error',
  // transport (§6, §7)
  'expired-session', 'counter-limit', 'replay', 'aead', 'bad-frames', 'wrong-transport', 'tcp-out-of-order',
  'deliver-failed',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export interface ChannelMetrics {
  drops: Record<DropReason, number>;
  /** X25519 operations: every DH plus every key pair generated (a stranger must cost zero). */
  dhOperations: number;
  handshakes: {
    enrollInits: number;
    enrolled: number;
    sessionInits: number;
    /** Sessions that received their first TRANSPORT record (key confirmation). */
    sessionsConfirmed: number;
    cookieReplies: number;
  };
  recordsIn: number;
  recordsOut: number;
  dataDelivered: number;
  acksSent: number;
  rekeysRequested: number;
  sessionsExpired: number;
}

export function newMetrics(): ChannelMetrics {
  return {
    drops: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    dhOperations: 0,
    handshakes: { enrollInits: 0, enrolled: 0, sessionInits: 0, sessionsConfirmed: 0, cookieReplies: 0 },
    recordsIn: 0,
    recordsOut: 0,
    dataDelivered: 0,
    acksSent: 0,
    rekeysRequested: 0,
    sessionsExpired: 0,
  };
}

/** Sum of all drop counters. */
export function totalDrops(m: ChannelMetrics): number {
  let n = 0;
  for (const r of DROP_REASONS) n += m.drops[r];
  return n;
}
