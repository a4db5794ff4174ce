// Tunables of the channel layer; defaults are the protocol's constants (§5-§7).

import * as C from '../protocol/constants.ts';

export interface ChannelLimits {
  /** Handshake messages/s (all sources) above which mac2 is required (§5 LOAD_THRESHOLD). */
  loadThreshold: number;
  /** Per-source handshake rate and burst (§5 HANDSHAKE_RATE_PER_SOURCE). */
  handshakeRatePerSource: number;
  handshakeBurstPerSource: number;
  /** R_secret lifetime, ms (§5). */
  cookieSecretLifetime: number;
  /** UDP replay window of the relay (§6 REPLAY_WINDOW_RELAY). */
  replayWindow: number;
  /** §7, ms / counts. */
  rekeyAfterTime: number;
  rekeyJitter: number;
  rekeyAfterMessages: number;
  rejectAfterTime: number;
  rejectAfterMessages: number;
  rekeyTimeout: number;
  /** How long an answered ENROLL_FINISH is remembered to answer a retransmission, ms. */
  enrollRetain: number;
}

export const DEFAULT_LIMITS: Readonly<ChannelLimits> = Object.freeze({
  loadThreshold: C.LOAD_THRESHOLD,
  handshakeRatePerSource: C.HANDSHAKE_RATE_PER_SOURCE,
  handshakeBurstPerSource: C.HANDSHAKE_BURST_PER_SOURCE,
  cookieSecretLifetime: C.COOKIE_SECRET_LIFETIME,
  replayWindow: C.REPLAY_WINDOW_RELAY,
  rekeyAfterTime: C.REKEY_AFTER_TIME,
  rekeyJitter: C.REKEY_JITTER,
  rekeyAfterMessages: C.REKEY_AFTER_MESSAGES,
  rejectAfterTime: C.REJECT_AFTER_TIME,
  rejectAfterMessages: C.REJECT_AFTER_MESSAGES,
  rekeyTimeout: C.REKEY_TIMEOUT,
  enrollRetain: 12 * C.REKEY_TIMEOUT,
});
