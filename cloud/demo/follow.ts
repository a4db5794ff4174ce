// The owner's side of the demo: one live feed of the retrieval client
// (cloud/client, docs/api.md "Live readings") per device, used as an app
// should use it. The client does the hard part: every reading is decrypted
// with the owner's key, verified (signatures, epoch chain, no gap, reorder or
// deletion) and handed on once, across dropped sockets, relay restarts and
// token renewals, resuming through a verified fetch of what was stored while
// no socket listened. This file only turns its callbacks into the demo's
// status lines and counts what was delivered.

import { CLOSE_TOKEN_EXPIRED, type Client, type LiveReadingInfo, type StreamIssue, type VerifiedReading } from '../client/index.ts';

export interface FollowOptions {
  /** Each reading, once, in seq order, decrypted and verified; `info.source` says whether it came live or through a catch-up fetch. */
  onReading: (r: VerifiedReading, info: LiveReadingInfo) => void;
  /** Relay misbehaviour the client confirmed (never 'open'). */
  onIssue: (issue: StreamIssue) => void;
  /** The feed's state changed (lost, back); routine token renewals are not reported. */
  onStatus: (line: string) => void;
  /** A fetch or connection attempt failed; the client retries by itself. */
  onError: (message: string) => void;
  /** Deliver readings the relay received at or after this time (ms). */
  since: number;
}

export interface Followed {
  /** Readings delivered so far. */
  readonly delivered: number;
  /** Stops the feed; no callback runs after it. */
  close(): void;
}

/** The demo's relay runs on this machine: come back within 2 s, not the client's default 10 s cap. */
const RECONNECT = { minDelayMs: 250, maxDelayMs: 2000 };

/**
 * Follows `device` live; resolves once its first socket is open (or after
 * `waitMs`, whichever comes first: the feed keeps trying either way, and
 * whatever was stored meanwhile is delivered when it connects).
 */
export function follow(client: Client, device: string, o: FollowOptions, waitMs = 5000): Promise<Followed> {
  let delivered = 0;
  let up = false;
  let renewing = false;
  return new Promise((resolve) => {
    const feed = {
      get delivered() { return delivered; },
      close: () => handle.close(),
    };
    const timer = setTimeout(() => resolve(feed), waitMs);
    const handle = client.live(device, (r, info) => { delivered++; o.onReading(r, info); }, {
      since: o.since,
      reconnect: RECONNECT,
      onIssue: o.onIssue,
      onOpen: () => {
        if (!up) {
          up = true;
          clearTimeout(timer);
          resolve(feed);
        } else if (!renewing) {
          o.onStatus('owner\'s live feed back; the client fetches (verified) what was stored meanwhile');
        }
        renewing = false;
      },
      onClose: ({ code, retryInMs }) => {
        // 4001: the relay closed the socket as its token expired; the client reconnects at once with a new one.
        renewing = code === CLOSE_TOKEN_EXPIRED && retryInMs === 0;
        if (renewing) return;
        o.onStatus(retryInMs === null ? `owner's live feed closed (${code}) for good`
          : `owner's live feed closed (${code}); the client reconnects in ${retryInMs} ms`);
      },
      onError: (e) => o.onError(e.message),
    });
  });
}
