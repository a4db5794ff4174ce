// client.live(): one device's readings as they arrive, each delivered exactly
// once, verified, across reconnects (docs/api.md, "Live readings").
//
// The WebSocket is the fast path, not the source of truth. A socket only sees
// records committed while it is subscribed, and a READING can be opened only
// with its epoch's EPOCH_OPEN (the wrap of K_E), which may have come long
// before. So every time a socket opens, and whenever the records held here do
// not verify (a READING without its EPOCH_OPEN, a hole, a missing close), the
// feed fetches whole epochs through GET records (a receivedAt window starting
// at the oldest epoch it holds) and verifies the union. Readings are keyed by
// seq: nothing is missed across a reconnect (the fetch after the new socket
// opened covers everything committed while no socket was listening) and
// nothing is handed on twice (the live copy and the fetched copy are the same
// record).
//
// Readings are handed on in sequence order, each once. A reading behind a
// hole (a seq not yet held: the socket reconnected, or missed a message) waits
// until the catch-up fetch fills the hole. A hole the relay cannot fill is
// moved past as soon as it is provable and reported (its epoch is closed, or a
// later epoch pins its end), or when the bound is reached (hold.maxMs since the
// first reading started waiting, more than hold.maxReadings waiting behind it,
// or LIVE_MAX_RECORDS held): what waits is then handed on in order, and a
// reading of the skipped range that turns up later is handed on once, marked
// late. Nothing is handed on before the first fetch has answered (the feed's
// starting point is unknown until then), except at that same bound.
//
// An issue is reported only when it survives such a fetch: a live feed that
// starts mid-epoch or lost records during a reconnect is not the relay
// misbehaving. A gap inside the newest epoch while it is still open is not
// reported until the epoch closes (a reading may still be on its way); 'open'
// is never reported.
//
// The relay closes a socket when its token expires (4001): the feed reconnects
// at once with a freshly signed token. Any other close or failed attempt is
// retried after an exponential, jittered, capped delay.

import { verifyDeviceStream, type StreamIssue, type VerifiedReading, type VerifyResult } from '../readings/verify.ts';
import { KIND_EPOCH_CLOSE, KIND_READING } from '../readings/records.ts';
import { ClientError, comparePositions, recordPosition, wireEntry, type RecordPosition, type WireEntry } from './wire.ts';

/** Minimal WebSocket shape: the browser's (WHATWG) or the `ws` package's. */
export interface WebSocketLike {
  onopen?: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** Reconnect policy of a live feed. */
export interface ReconnectOptions {
  /** First retry delay, ms (default 250). */
  minDelayMs?: number;
  /** Cap of the doubling delay, ms (default 10000). */
  maxDelayMs?: number;
  /** Failed attempts in a row before the feed gives up (default: never). */
  maxAttempts?: number;
}

/** Why a socket closed, and what the feed does next. */
export interface LiveCloseInfo {
  /** WebSocket close code (1006 when the connection failed or dropped). */
  code: number;
  reason: string;
  /** Delay before the next attempt, ms; null when the feed has stopped (no retry). */
  retryInMs: number | null;
}

/** How a reading reached the feed; the second argument of `onReading`. */
export interface LiveReadingInfo {
  /** 'live': its record first came over the WebSocket; 'fetched': through a catch-up fetch (GET records). */
  source: 'live' | 'fetched';
  /**
   * true only for a reading of a range the feed gave up waiting for (hold
   * bound): it comes after readings with a higher seq. Otherwise the feed's
   * seqs are strictly ascending.
   */
  late: boolean;
}

/** Bounds of the wait behind a hole in the sequence (see LIVE_HOLD_MS). */
export interface HoldOptions {
  /** Longest a reading waits behind a hole, ms (default LIVE_HOLD_MS); 0: never wait. */
  maxMs?: number;
  /** Readings that may wait behind a hole (default LIVE_HOLD_READINGS); one more releases it. */
  maxReadings?: number;
}

export interface LiveOptions {
  /** Relay misbehaviour in this device's stream, once each (never 'open'). */
  onIssue?: (issue: StreamIssue) => void;
  /** A socket opened (the feed is live; a catch-up fetch follows). */
  onOpen?: () => void;
  /** A socket closed or an attempt failed. */
  onClose?: (info: LiveCloseInfo) => void;
  /** A fetch or connection attempt failed (the feed retries), or it gave up (ClientError 'live'). */
  onError?: (error: Error) => void;
  /** Deliver readings the relay received at or after this time (ms, relay clock). Default: the client's now(). */
  since?: number;
  /** Reconnect policy, or false for a single socket. */
  reconnect?: ReconnectOptions | false;
  /** Bounds of the wait for a missing reading before the feed moves past it. */
  hold?: HoldOptions;
}

/** Receives each reading once, in ascending seq (see LiveReadingInfo.late for the one exception). */
export type LiveReadingHandler = (reading: VerifiedReading, info: LiveReadingInfo) => void;

export interface LiveHandle {
  /** Stops the feed: closes the socket, cancels retries and fetches. No callback runs after it. */
  close(): void;
}

/** What the client gives the feed. */
export interface LiveDeps {
  device: string;
  readerSecret: Uint8Array;
  WebSocket: WebSocketCtor;
  /** The live URL for a token. */
  url(token: string): string;
  /** A bearer token; `fresh`: sign a new one (the last was refused or expired). */
  token(fresh: boolean): Promise<string>;
  /** Every record of every epoch with a reading received at or after `from` (ms). */
  fetchRecords(from: number): Promise<WireEntry[]>;
  now(): number;
}

/** The relay closes a feed whose token expired with this code (cloud/api/live.ts). */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** A socket that lived at least this long counts as a success (resets the backoff). */
export const LIVE_STABLE_MS = 1000;
/** Fetch windows start this much before the oldest reading held (relay clock steps, same-ms commits). */
export const RESUME_OVERLAP_MS = 5000;
/** Records held for verification; beyond it the oldest epochs are dropped even with issues pending (and every hole is moved past). */
export const LIVE_MAX_RECORDS = 4096;
/**
 * Default longest wait behind a hole, ms. A fetch answers in milliseconds; the
 * rest covers a reading the relay commits after later ones (a datagram the
 * device resends) and catch-up fetches that fail and are retried.
 */
export const LIVE_HOLD_MS = 5000;
/** Default number of readings that may wait behind a hole. */
export const LIVE_HOLD_READINGS = 1000;

interface Held extends WireEntry { pos: RecordPosition }

const issueKey = (i: StreamIssue): string => `${i.kind}|${i.what}|${i.epoch}|${i.toEpoch}|${i.from}|${i.to}|${i.seq}`;

const readingKey = (epoch: number, seq: bigint): string => `${epoch}.${seq}`;

export function startLive(deps: LiveDeps, onReading: LiveReadingHandler, o: LiveOptions = {}): LiveHandle {
  const since = o.since ?? deps.now();
  if (typeof since !== 'number' || !Number.isFinite(since)) throw new TypeError('since: expected ms since the Unix epoch');
  const policy = o.reconnect === false ? null : {
    min: o.reconnect?.minDelayMs ?? 250, max: o.reconnect?.maxDelayMs ?? 10_000, attempts: o.reconnect?.maxAttempts ?? Infinity,
  };
  if (policy !== null && !(policy.min >= 0 && policy.max >= policy.min && policy.attempts >= 0)) {
    throw new RangeError('reconnect: expected 0 <= minDelayMs <= maxDelayMs and maxAttempts >= 0');
  }
  const holdMs = o.hold?.maxMs ?? LIVE_HOLD_MS;
  const holdReadings = o.hold?.maxReadings ?? LIVE_HOLD_READINGS;
  if (!(typeof holdMs === 'number' && holdMs >= 0 && Number.isFinite(holdMs)) || !(Number.isInteger(holdReadings) && holdReadings >= 0)) {
    throw new RangeError('hold: expected a finite maxMs >= 0 and an integer maxReadings >= 0');
  }

  let stopped = false;
  // Records held for verification (key: wire text), from `floorEpoch` on.
  const held = new Map<string, Held>();
  let floorEpoch = 0;
  const delivered = new Map<bigint, number>(); // seq -> epoch
  const sources = new Map<string, LiveReadingInfo['source']>(); // readingKey -> how its record first came
  // Sequence order: the next seq to hand on (null until the starting point is known).
  let nextSeq: bigint | null = null;
  let waitingSince: number | null = null; // Date.now() when a reading first had to wait
  let holdTimer: ReturnType<typeof setTimeout> | null = null;
  let holeFetched: bigint | null = null; // the hole a fetch was last asked for
  const reported = new Map<string, number | undefined>(); // issue key -> epoch
  let suspects = new Set<string>();

  const report = (i: StreamIssue): void => {
    const k = issueKey(i);
    if (reported.has(k)) return;
    reported.set(k, i.epoch);
    if (!stopped) o.onIssue?.(i);
  };
  const error = (e: unknown): void => { if (!stopped) o.onError?.(e instanceof Error ? e : new Error(String(e))); };

  function hold(entries: WireEntry[], source: LiveReadingInfo['source']): void {
    for (const e of entries) {
      const pos = recordPosition(e.bytes);
      if (pos === null) {
        report({ kind: 'forged', what: 'malformed', detail: 'live: a record without a valid header' });
        continue;
      }
      if (pos.epoch < floorEpoch || held.has(e.b64)) continue;
      held.set(e.b64, { ...e, pos });
      if (e.bytes[0] === KIND_READING && !sources.has(readingKey(pos.epoch, pos.seq))) sources.set(readingKey(pos.epoch, pos.seq), source);
    }
  }

  /** Verify what is held; sort issues into reported / suspect; hand on what is in order. `confirmed`: suspects a fetch has since checked. */
  function settle(confirmed: Set<string> | null): void {
    if (stopped) return;
    const list = [...held.values()].sort((a, b) => comparePositions(a.pos, b.pos));
    const v = verifyDeviceStream(deps.device, list.map((h) => ({ bytes: h.bytes, receivedAt: h.receivedAt })), deps.readerSecret, { anchor: 'first' });
    const newest = list.length ? list[list.length - 1].pos.epoch : 0;
    const newestClosed = list.some((h) => h.pos.epoch === newest && h.bytes[0] === KIND_EPOCH_CLOSE);
    const now = new Set<string>();
    for (const i of v.issues) {
      if (i.kind === 'open') continue;
      if (i.kind === 'gap' && i.epoch === newest && !newestClosed) continue; // may still arrive
      const k = issueKey(i);
      if (reported.has(k)) continue;
      if (i.kind === 'no-access' || confirmed?.has(k)) report(i);
      else now.add(k);
    }
    if (stopped) return;
    const fresh = [...now].some((k) => !suspects.has(k));
    suspects = now;
    if (fresh) requestFetch();
    const overflow = held.size > LIVE_MAX_RECORDS;
    deliver(v, newest, newestClosed, overflow);
    if (stopped) return;
    if (suspects.size === 0 && !fetching) prune(list, v.issues);
    if (overflow) prune(list, v.issues, true);
  }

  /** Hand `r` on once (unless it predates `since`). */
  function handOn(r: VerifiedReading, late: boolean): void {
    delivered.set(r.seq, r.epoch);
    if (r.receivedAt !== undefined && r.receivedAt < since) return;
    try {
      onReading(r, { source: sources.get(readingKey(r.epoch, r.seq)) ?? 'fetched', late });
    } catch (e) {
      error(e); // the caller's bug: the reading counts as delivered, the feed goes on
    }
  }

  /**
   * Hand on the verified readings in seq order from `nextSeq`, stopping at a
   * hole until a fetch fills it, it is provable and reported, or the hold
   * bound is reached.
   */
  function deliver(v: VerifyResult, newest: number, newestClosed: boolean, overflow: boolean): void {
    const waiting = v.readings.filter((r) => !delivered.has(r.seq)); // ascending seq
    const t = Date.now();
    const timeUp = overflow || (waitingSince !== null && t - waitingSince >= holdMs);
    const wait = (): void => {
      if (waitingSince === null) waitingSince = t;
      if (holdTimer === null) {
        holdTimer = setTimeout(() => { holdTimer = null; settle(null); }, Math.max(0, waitingSince + holdMs - t));
      }
    };
    if (waiting.length === 0) { release(); return; }
    if (nextSeq === null) {
      // The starting point: the first seq of the lowest epoch with a reading, once the
      // first fetch answered and nothing held is in doubt (an older epoch may be coming).
      if (!timeUp && (!anchored || suspects.size > 0)) { wait(); return; }
      const r0 = waiting[0];
      const hole = v.issues.find((i) => i.kind === 'gap' && i.epoch === r0.epoch && i.to === r0.seq - 1n);
      nextSeq = hole?.from ?? r0.seq;
    }
    for (let n = 0; n < waiting.length; n++) {
      const r = waiting[n];
      if (r.seq < nextSeq) {
        handOn(r, true); // the range was given up on (bound), or predates the starting point
      } else {
        if (r.seq > nextSeq && !timeUp && !(r.receivedAt !== undefined && r.receivedAt < since) && waiting.length - n <= holdReadings) {
          // A hole nextSeq..r.seq-1. Inside r's epoch (a gap there) its completeness is known
          // once that epoch closes or a later one exists; before r's epoch, r's EPOCH_OPEN
          // already pins it. Provable holes become issues: move on once every issue is settled
          // (reported after a confirming fetch, or filled by it).
          const inEpoch = v.issues.some((i) => i.kind === 'gap' && i.epoch === r.epoch && i.to === r.seq - 1n);
          const provable = !inEpoch || r.epoch !== newest || newestClosed;
          if (!provable || suspects.size > 0) {
            if (holeFetched !== nextSeq) { holeFetched = nextSeq; requestFetch(); }
            wait();
            return;
          }
        }
        handOn(r, false);
        nextSeq = r.seq + 1n;
      }
      if (stopped) return;
    }
    release();
  }

  /** Nothing waits any more. */
  function release(): void {
    waitingSince = null;
    if (holdTimer !== null) { clearTimeout(holdTimer); holdTimer = null; }
  }

  /** Forget epochs before the newest authentically closed one (kept as the anchor of the next). */
  function prune(list: Held[], issues: StreamIssue[], force = false): void {
    const badClose = new Set(issues.filter((i) => i.kind === 'forged' && i.what === 'epoch-close').map((i) => i.epoch));
    let keep = floorEpoch;
    for (const h of list) if (h.bytes[0] === KIND_EPOCH_CLOSE && !badClose.has(h.pos.epoch)) keep = Math.max(keep, h.pos.epoch);
    if (force && held.size > LIVE_MAX_RECORDS) keep = Math.max(keep, list[list.length - (LIVE_MAX_RECORDS >> 1)].pos.epoch);
    if (keep <= floorEpoch) return;
    floorEpoch = keep;
    for (const [k, h] of held) if (h.pos.epoch < keep) held.delete(k);
    for (const [seq, e] of delivered) if (e < keep) delivered.delete(seq);
    for (const k of sources.keys()) if (Number(k.slice(0, k.indexOf('.'))) < keep) sources.delete(k);
    for (const [k, e] of reported) if (e !== undefined && e < keep) reported.delete(k);
  }

  // ---- catch-up fetches (single flight) ----

  let fetching = false;
  let fetchAgain = false;
  let fetchFailures = 0;
  let fetchTimer: ReturnType<typeof setTimeout> | null = null;
  let anchored = false;

  function requestFetch(): void {
    if (stopped || fetchTimer !== null) return;
    if (fetching) { fetchAgain = true; return; }
    void runFetch();
  }

  /**
   * Start of the window. Until a fetch has succeeded: `since`. After: the
   * oldest record held (the floor epoch, kept until a later one closes), as
   * everything not yet seen was received after it; never before `since`.
   */
  function windowStart(): number {
    if (!anchored) return since;
    let oldest = Infinity;
    for (const h of held.values()) if (h.receivedAt !== undefined && h.receivedAt > 0) oldest = Math.min(oldest, h.receivedAt);
    return Number.isFinite(oldest) ? Math.max(since, oldest - RESUME_OVERLAP_MS) : since;
  }

  async function runFetch(): Promise<void> {
    fetching = true;
    try {
      do {
        fetchAgain = false;
        const checking = new Set(suspects);
        let entries: WireEntry[];
        try {
          entries = await deps.fetchRecords(windowStart());
        } catch (e) {
          if (stopped) return;
          error(e);
          // Retry while the feed runs; a socket that opens meanwhile asks again anyway.
          fetchFailures++;
          const delay = Math.min(policy?.max ?? 10_000, (policy?.min || 250) * 2 ** Math.min(fetchFailures - 1, 16));
          fetchTimer = setTimeout(() => { fetchTimer = null; requestFetch(); }, delay);
          return;
        }
        if (stopped) return;
        fetchFailures = 0;
        anchored = true;
        hold(entries, 'fetched');
        settle(checking);
      } while (fetchAgain && !stopped);
    } finally {
      fetching = false;
    }
    if (!stopped && suspects.size === 0) settle(null); // prune now that no fetch runs
  }

  // ---- the socket ----

  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempts = 0;
  let freshToken = false;
  let settleQueued = false;

  function onMessage(data: unknown): void {
    let entry: WireEntry;
    try {
      const text = typeof data === 'string' ? data
        : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? new TextDecoder().decode(data as ArrayBuffer) : null;
      if (text === null) throw new ClientError('protocol', 'live: not a text message');
      entry = wireEntry(JSON.parse(text));
    } catch {
      report({ kind: 'forged', what: 'malformed', detail: 'live: malformed message' });
      return;
    }
    hold([entry], 'live');
    // One verification per burst: every message already received is held before it runs
    // (verifying ~160 held records costs ~28 ms with @noble).
    if (!settleQueued) {
      settleQueued = true;
      setTimeout(() => { settleQueued = false; settle(null); }, 0);
    }
  }

  /** Next retry delay after a close, or null to stop. */
  function nextDelay(code: number, lived: number): number | null {
    if (policy === null) return null;
    if (lived >= LIVE_STABLE_MS) {
      attempts = 0;
      if (code === CLOSE_TOKEN_EXPIRED) return 0;
    }
    attempts++;
    if (attempts > policy.attempts) return null;
    const base = Math.min(policy.max, policy.min * 2 ** Math.min(attempts - 1, 30));
    return Math.round(base * (0.5 + Math.random() / 2)); // jitter: clients of a restarted relay do not come back in step
  }

  function closed(s: WebSocketLike, code: number, reason: string, openedAt: number | null): void {
    if (stopped || socket !== s) return;
    socket = null;
    const lived = openedAt === null ? 0 : Date.now() - openedAt;
    // Refused before opening, or expired: the next attempt signs a new token (the relay's clock may differ from ours).
    if (openedAt === null || code === CLOSE_TOKEN_EXPIRED) freshToken = true;
    const delay = nextDelay(code, lived);
    o.onClose?.({ code, reason, retryInMs: delay });
    if (stopped) return;
    if (delay === null) {
      if (policy !== null) error(new ClientError('live', `live: gave up after ${policy.attempts} failed attempts`));
      stop();
      return;
    }
    retryTimer = setTimeout(() => { retryTimer = null; void connect(); }, delay);
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    let s: WebSocketLike;
    try {
      const token = await deps.token(freshToken);
      freshToken = false;
      if (stopped) return;
      s = new deps.WebSocket(deps.url(token));
    } catch (e) {
      error(e);
      const placeholder: WebSocketLike = { onmessage: null, onclose: null, onerror: null, close() {} };
      socket = placeholder;
      closed(placeholder, 1006, 'could not connect', null);
      return;
    }
    socket = s;
    let openedAt: number | null = null;
    s.onopen = () => {
      if (stopped || socket !== s) return;
      openedAt = Date.now();
      o.onOpen?.();
      requestFetch(); // everything committed before this socket subscribed
    };
    s.onmessage = (ev) => { if (!stopped && socket === s) onMessage(ev.data); };
    s.onerror = () => {}; // a close follows
    s.onclose = (ev) => {
      const c = ev as { code?: unknown; reason?: unknown } | null;
      closed(s, typeof c?.code === 'number' ? c.code : 1006, typeof c?.reason === 'string' ? c.reason : '', openedAt);
    };
  }

  function stop(): void {
    stopped = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    if (fetchTimer !== null) clearTimeout(fetchTimer);
    if (holdTimer !== null) clearTimeout(holdTimer);
    retryTimer = fetchTimer = holdTimer = null;
    const s = socket;
    socket = null;
    if (s !== null) {
      // No-op handlers, not null: `ws` throws an 'error' nobody listens to.
      s.onopen = s.onmessage = s.onclose = () => {};
      s.onerror = () => {};
      try { s.close(); } catch { /* already closed */ }
    }
    held.clear();
    delivered.clear();
    sources.clear();
  }

  void connect();
  return { close: stop };
}
