// Device-side timing (protocol §5-§7), ms / counts; defaults are the protocol's.

import * as C from '../protocol/constants.ts';

export interface DeviceLimits {
  rekeyAfterTime: number;
  rekeyJitter: number;
  rekeyAfterMessages: number;
  rejectAfterTime: number;
  rejectAfterMessages: number;
  /** Handshake retry interval, with ± rekeyTimeoutJitter. */
  rekeyTimeout: number;
  rekeyTimeoutJitter: number;
  keepaliveTimeout: number;
  /** UDP receive window (§6 REPLAY_WINDOW_DEVICE). */
  replayWindow: number;
  /** How long a cookie is used for mac2 (§5). */
  cookieLifetime: number;
  /** Unacknowledged DATA is sent again (on the current session) after this long. */
  retransmitTimeout: number;
  /** ENROLL_FINISH retransmissions before enrollment starts over from ENROLL_INIT. */
  enrollFinishAttempts: number;
}

export const DEFAULT_DEVICE_LIMITS: Readonly<DeviceLimits> = Object.freeze({
  rekeyAfterTime: C.REKEY_AFTER_TIME,
  rekeyJitter: C.REKEY_JITTER,
  rekeyAfterMessages: C.REKEY_AFTER_MESSAGES,
  rejectAfterTime: C.REJECT_AFTER_TIME,
  rejectAfterMessages: C.REJECT_AFTER_MESSAGES,
  rekeyTimeout: C.REKEY_TIMEOUT,
  rekeyTimeoutJitter: C.REKEY_TIMEOUT_JITTER,
  keepaliveTimeout: C.KEEPALIVE_TIMEOUT,
  replayWindow: C.REPLAY_WINDOW_DEVICE,
  cookieLifetime: C.COOKIE_SECRET_LIFETIME,
  retransmitTimeout: C.REKEY_TIMEOUT,
  enrollFinishAttempts: 6,
});
