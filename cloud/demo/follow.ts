// The owner's side of the demo: follows devices through the retrieval client
// (cloud/client) and hands on every reading once, decrypted with the owner's
// key and verified, as it arrives.
//
// The client's live feed verifies the records it has seen on its socket, so a
// reading whose EPOCH_OPEN came before the socket (a feed resumed mid-epoch,
// after the relay closed it: token expiry 4001, restart, too slow 1013)
// cannot be opened live. Those are fetched through client.readings() for a
// receivedAt window (the relay returns whole epochs, so the window starts with
// its EPOCH_OPEN) and delivered from there, still verified. Issues the
// client reports from those fetches are passed on; the live feed's own
// "issues" after a mid-epoch resume are expected and only trigger a fetch.

import WebSocket from 'ws';
import type { Client, WebSocketCtor, WebSocketLike } from '../client/index.ts';
import type { StreamIssue, VerifiedReading } from '../readings/index.ts';

/** A reading handed on by the follower. */
export interface FollowedReading extends VerifiedReading {
  device: string;
  /** How it reached the owner: the live WebSocket, or a verified fetch after a resumed feed. */
  via: 'live' | 'fetch';
}

export interface FollowerOptions {
  /** Called once per (device, seq). */
  onReading: (r: FollowedReading) => void;
  /** Relay misbehaviour the client reported (never 'open'). */
  onIssue?: (device: string, issue: StreamIssue) => void;
  /** Connection trouble (the follower keeps retrying). */
  onNotice?: (device: string, message: string) => void;
  /** Deliver only readings the relay received at or after this time (ms); default: now. */
  since?: number;
}

interface Followed {
  device: string;
  handle: { close(): void } | null;
  socket: WebSocketLike | null;
  opened: boolean;
  openWaiters: (() => void)[];
  delivered: Set<bigint>;
  /** receivedAt of the newest delivered reading. */
  lastReceivedAt: number;
  /** receivedAt of READINGs seen raw on the socket but not (yet) delivered. */
  pending: Map<bigint, number>;
  fetching: boolean;
  fetchAgain: boolean;
  retryMs: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
  issues: Set<string>;
}

const KIND_EPOCH_OPEN = 1;
const KIND_READING = 2;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2000;

/** Follows devices live for their owner; see the file comment. */
export class Follower {
  private readonly devices = new Map<string, Followed>();
  private closed = false;
  private readonly since: number;
  /** Readings delivered, by way. */
  readonly counts = { live: 0, fetch: 0 };

  /**
   * `makeClient` is called once with the WebSocket constructor the follower
   * needs the client to use (it watches the sockets open and close).
   */
  readonly client: Client;
  constructor(makeClient: (ws: WebSocketCtor) => Client, private readonly options: FollowerOptions) {
    this.since = options.since ?? Date.now();
    this.client = makeClient(this.socketClass());
  }

  /** Starts following `device`; resolves once its live feed is open (or after `waitMs`, whichever first). */
  follow(device: string, waitMs = 5000): Promise<void> {
    if (this.closed) throw new Error('follower closed');
    let f = this.devices.get(device);
    if (f === undefined) {
      f = {
        device, handle: null, socket: null, opened: false, openWaiters: [], delivered: new Set(), lastReceivedAt: this.since,
        pending: new Map(), fetching: false, fetchAgain: false, retryMs: RETRY_MIN_MS, retryTimer: null, issues: new Set(),
      };
      this.devices.set(device, f);
      this.subscribe(f);
    }
    if (f.opened) return Promise.resolve();
    const entry = f;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, waitMs);
      entry.openWaiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  /** Readings delivered for `device`. */
  deliveredCount(device: string): number {
    return this.devices.get(device)?.delivered.size ?? 0;
  }

  /** Fetches (verified) whatever the live feeds have not delivered yet, for every device; resolves when done. */
  async catchUp(): Promise<void> {
    await Promise.all([...this.devices.values()].map((f) => this.fetchMissing(f)));
  }

  /** Stops every feed. Idempotent. */
  close(): void {
    this.closed = true;
    for (const f of this.devices.values()) {
      if (f.retryTimer !== null) clearTimeout(f.retryTimer);
      f.handle?.close();
      f.handle = null;
      for (const w of f.openWaiters.splice(0)) w();
    }
  }

  // ---- live feeds ----

  private subscribe(f: Followed): void {
    if (this.closed) return;
    f.opened = false;
    f.handle = this.client.live(f.device, (r) => this.deliver(f, r, 'live'), {
      onIssue: () => { void this.fetchMissing(f); },
    });
  }

  /** A socket of `f` opened. */
  private onOpen(f: Followed, socket: WebSocketLike): void {
    f.socket = socket;
    f.opened = true;
    f.retryMs = RETRY_MIN_MS;
    for (const w of f.openWaiters.splice(0)) w();
    // Whatever was stored while no socket was open (or before the first one).
    void this.fetchMissing(f);
  }

  /** A socket of `f` closed (or failed to connect): come back, with a fresh token. */
  private onClose(f: Followed, socket: WebSocketLike, code: number): void {
    if (this.closed || (f.socket !== null && f.socket !== socket)) return;
    f.socket = null;
    f.opened = false;
    f.handle?.close();
    f.handle = null;
    if (f.retryTimer !== null) return;
    // 4001: token expired, 1013: too slow. Either way come back at once; otherwise back off.
    const delay = code === 4001 || code === 1013 ? 0 : f.retryMs;
    if (code !== 4001 && code !== 1013) {
      this.options.onNotice?.(f.device, `live feed closed (${code}); reconnecting`);
      f.retryMs = Math.min(f.retryMs * 2, RETRY_MAX_MS);
    }
    f.retryTimer = setTimeout(() => { f.retryTimer = null; this.subscribe(f); }, delay);
  }

  /** A raw message on a socket of `f`, after the client handled it. */
  private onRaw(f: Followed, text: string): void {
    let bytes: Uint8Array;
    let receivedAt: number;
    try {
      const j = JSON.parse(text) as { record: string; receivedAt: number };
      bytes = Buffer.from(j.record, 'base64');
      receivedAt = j.receivedAt;
    } catch {
      return; // the client reported it
    }
    if (bytes.length < 13 || bytes[0] !== KIND_READING || typeof receivedAt !== 'number') return;
    const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getBigUint64(5, true);
    if (f.delivered.has(seq) || receivedAt < this.since) return;
    // Not opened live: its EPOCH_OPEN came before this socket. Fetch it.
    f.pending.set(seq, receivedAt);
    void this.fetchMissing(f);
  }

  // ---- verified fetches ----

  private async fetchMissing(f: Followed): Promise<void> {
    if (this.closed) return;
    if (f.fetching) { f.fetchAgain = true; return; }
    f.fetching = true;
    try {
      do {
        f.fetchAgain = false;
        let from = f.lastReceivedAt;
        for (const t of f.pending.values()) from = Math.min(from, t);
        let res;
        try {
          res = await this.client.readings({ device: f.device, from });
        } catch (e) {
          this.options.onNotice?.(f.device, `fetch failed: ${(e as Error).message}`);
          return;
        }
        for (const r of res.readings) this.deliver(f, r, 'fetch');
        for (const i of res.issues) {
          if (i.kind === 'open') continue;
          const k = `${i.kind}|${i.what}|${i.epoch}|${i.from}|${i.to}|${i.seq}`;
          if (!f.issues.has(k)) { f.issues.add(k); this.options.onIssue?.(f.device, i); }
        }
      } while (f.fetchAgain && !this.closed);
    } finally {
      f.fetching = false;
    }
  }

  private deliver(f: Followed, r: VerifiedReading, via: 'live' | 'fetch'): void {
    if (this.closed || f.delivered.has(r.seq)) return;
    if (r.receivedAt !== undefined && r.receivedAt < this.since) return;
    f.delivered.add(r.seq);
    f.pending.delete(r.seq);
    if (r.receivedAt !== undefined) f.lastReceivedAt = Math.max(f.lastReceivedAt, r.receivedAt);
    this.counts[via]++;
    this.options.onReading({ ...r, device: f.device, via });
  }

  /** A WebSocket class for the client that reports opens, closes and raw messages of each device's feed. */
  private socketClass(): WebSocketCtor {
    const follower = this;
    return class ObservedSocket implements WebSocketLike {
      onmessage: ((ev: { data: unknown }) => void) | null = null;
      onclose: ((ev: unknown) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      private readonly ws: WebSocket;
      constructor(url: string) {
        const m = /\/v1\/devices\/([^/]+)\/live$/.exec(new URL(url).pathname);
        const f = m === null ? undefined : follower.devices.get(decodeURIComponent(m[1]));
        this.ws = new WebSocket(url);
        this.ws.on('open', () => { if (f) follower.onOpen(f, this); });
        this.ws.on('message', (data: Buffer, isBinary: boolean) => {
          const text = isBinary ? new TextDecoder().decode(data) : data.toString('utf8');
          this.onmessage?.({ data: text });
          if (f) follower.onRaw(f, text);
        });
        this.ws.on('error', (e) => { this.onerror?.(e); });
        this.ws.on('close', (code: number) => {
          this.onclose?.({ code });
          if (f) follower.onClose(f, this, code);
        });
      }
      close(): void {
        this.ws.close();
      }
    };
  }
}
