// Live feeds (WS /v1/devices/:did/live): each new record of a device goes to
// its subscribers after the durable commit, in the order committed. A
// subscriber whose token expires is closed (4001) and must come back with a
// fresh one (DESIGN: brokered interactions are re-authorised on expiry); one
// that cannot keep up is closed (1013) and resumes through the REST API.

import type { WebSocket } from 'ws';
import type { AppMetrics } from '../app/metrics.ts';

/** Bytes a subscriber may have unsent before it is dropped. */
export const LIVE_MAX_BUFFERED_BYTES = 1 << 20;
export const CLOSE_TOKEN_EXPIRED = 4001;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_GOING_AWAY = 1001;

export class LiveHub {
  private readonly subs = new Map<string, Set<WebSocket>>();
  constructor(private readonly metrics: AppMetrics) {}

  /** Add `ws` to `device`'s feed until it closes or `expiresAt` (ms) passes. */
  add(device: string, ws: WebSocket, expiresAt: number): void {
    let set = this.subs.get(device);
    if (set === undefined) this.subs.set(device, (set = new Set()));
    set.add(ws);
    this.metrics.liveSubscribers++;
    const timer = setTimeout(() => ws.close(CLOSE_TOKEN_EXPIRED, 'token expired'), Math.max(0, expiresAt - Date.now()));
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      this.metrics.liveSubscribers--;
      set!.delete(ws);
      if (set!.size === 0 && this.subs.get(device) === set) this.subs.delete(device);
    });
  }

  /** Push one committed record to `device`'s subscribers. */
  publish(device: string, record: Uint8Array, receivedAt: number): void {
    const set = this.subs.get(device);
    if (set === undefined) return;
    const msg = JSON.stringify({ record: Buffer.from(record).toString('base64'), receivedAt });
    for (const ws of set) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > LIVE_MAX_BUFFERED_BYTES) { ws.close(CLOSE_TRY_AGAIN_LATER, 'too slow: resume with GET records'); continue; }
      ws.send(msg);
      this.metrics.liveMessages++;
    }
  }

  /** Close every feed (shutdown). */
  closeAll(): void {
    for (const set of this.subs.values()) for (const ws of set) ws.close(CLOSE_GOING_AWAY, 'relay shutting down');
  }
}
