// The device side of sealink protocol v1 in TypeScript: the reference initiator
// for the relay's tests and for interop runs against the WASM core.
//
// - enroll(bundle): XXpsk3 with the claim (enroll.ts).
// - connect()/send(): IKpsk2 sessions (protocol §4); DATA resolves once ACKed.
// - Rotation (§7): a new handshake at REKEY_AFTER_TIME ± REKEY_JITTER (drawn from
//   the injected RNG per session), after REKEY_AFTER_MESSAGES records, on a REKEY
//   frame, or when the session can no longer send; the previous session keeps
//   receiving until REJECT_AFTER_TIME; unacknowledged DATA is sent again on the
//   current session after retransmitTimeout.
// - Cookies (§5): a COOKIE_REPLY is kept cookieLifetime and the handshake message
//   is sent again at once with mac2.
// Everything runs on the injected clock: one maintenance tick per second.

import { randomBytes } from 'node:crypto';
import { HandshakeState } from '../noise/handshake-state.ts';
import { keyPairFromSecret, type KeyPair } from '../noise/crypto.ts';
import type { Identity } from '../keys/did.ts';
import { x25519FromDid } from '../keys/did.ts';
import { u64Bytes } from '../protocol/bytes.ts';
import * as C from '../protocol/constants.ts';
import { decodeFrames, encodeFrames, MAX_DATA_BYTES, type Frame } from '../protocol/frames.ts';
import { cookieReplyKey, mac1Key, openCookie, writeMacs } from '../protocol/macs.ts';
import { bindResponseHeader } from '../protocol/response-header.ts';
import {
  SESSION_INIT_MAC1, decodeMessage, encodeSessionInit, type CookieReply, type SessionResp, type Transport,
} from '../protocol/messages.ts';
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { DeviceEnrollment, type DeviceCredentials } from './enroll.ts';
import { DeviceError } from './errors.ts';
import { DEFAULT_DEVICE_LIMITS, type DeviceLimits } from './limits.ts';
import type { Link } from './link.ts';
import { DeviceSession, type OutgoingData } from './session.ts';

export interface DeviceClientOptions {
  /** The device's identity (identityFromSeed(first-boot random)). */
  identity: Identity;
  link: Link;
  /** Credentials from an earlier enrollment (the persisted state). */
  credentials?: DeviceCredentials;
  /** Called with the credentials to persist: after enrollment and before each new counter block is used (write-ahead). */
  persist?: (credentials: DeviceCredentials) => void | Promise<void>;
  /** DATA frames from the relay (controls). */
  onData?: (bytes: Uint8Array) => void;
  clock?: Clock;
  /** The device RNG (indices, jitter); default node:crypto. */
  random?: (n: number) => Uint8Array;
  logger?: Logger;
  limits?: Partial<DeviceLimits>;
}

/** Material of a claim bundle (protocol §3). SECRET: claimToken. */
export interface EnrollBundle {
  /** The relay network's did:key; or give relayStatic directly. */
  relayDid?: string;
  relayStatic?: Uint8Array;
  claimId: Uint8Array;
  claimToken: Uint8Array;
}

export interface DeviceStats {
  handshakesSent: number;
  sessions: number;
  rekeysByTime: number;
  rekeysByMessages: number;
  rekeysRequested: number;
  recordsSent: number;
  recordsReceived: number;
  dataAcked: number;
  retransmits: number;
  cookies: number;
  dropped: number;
}

interface Pending {
  hs: HandshakeState;
  index: number;
  message: Uint8Array;
  retryAt: number;
}

const TICK_MS = 1000;

export class DeviceClient {
  readonly stats: DeviceStats = {
    handshakesSent: 0, sessions: 0, rekeysByTime: 0, rekeysByMessages: 0, rekeysRequested: 0,
    recordsSent: 0, recordsReceived: 0, dataAcked: 0, retransmits: 0, cookies: 0, dropped: 0,
  };
  private readonly identity: Identity;
  private readonly staticKey: KeyPair;
  private readonly link: Link;
  private readonly clock: Clock;
  private readonly random: (n: number) => Uint8Array;
  private readonly logger: Logger;
  private readonly limits: DeviceLimits;
  private readonly persist: (c: DeviceCredentials) => void | Promise<void>;
  private readonly onData: (bytes: Uint8Array) => void;
  private creds: DeviceCredentials | undefined;
  private usedCounter = 0n;
  private mac1: Uint8Array | null = null;
  private cookieKey: Uint8Array | null = null;
  private cookie: { value: Uint8Array; at: number } | null = null;

  private current: DeviceSession | null = null;
  private previous: DeviceSession | null = null;
  private pending: Pending | null = null;
  private starting = false;
  private readonly queue: OutgoingData[] = [];
  private readonly connectWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private readonly rejecters = new Set<(e: Error) => void>();
  private lastSendAt = 0;

  private enrollment: DeviceEnrollment | null = null;
  private enrollRetryAt = 0;
  private enrollPromise: { resolve(c: DeviceCredentials): void; reject(e: Error): void } | null = null;

  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(opts: DeviceClientOptions) {
    this.identity = opts.identity;
    this.staticKey = keyPairFromSecret(opts.identity.x25519Secret);
    this.link = opts.link;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.logger = opts.logger ?? silentLogger;
    this.limits = { ...DEFAULT_DEVICE_LIMITS, ...opts.limits };
    this.persist = opts.persist ?? (() => {});
    this.onData = opts.onData ?? (() => {});
    if (opts.credentials !== undefined) this.useCredentials(opts.credentials);
    this.link.onMessage((m) => this.onMessage(m));
    this.link.onClose(() => this.shutdown(new DeviceError('closed', 'device: link closed')));
    this.scheduleTick();
  }

  /** The credentials to persist (after enroll()). */
  get credentials(): DeviceCredentials | undefined {
    return this.creds;
  }

  /** Our index of the current session (tests). */
  get sessionIndex(): number | undefined {
    return this.current?.localIndex;
  }

  /** DATA sent and not yet ACKed or waiting for a session. */
  get unackedCount(): number {
    const items = new Set<OutgoingData>(this.queue);
    for (const s of [this.current, this.previous]) for (const list of s?.unacked.values() ?? []) for (const i of list) if (!i.acked) items.add(i);
    return items.size;
  }

  private useCredentials(c: DeviceCredentials): void {
    this.creds = { ...c, relayStatic: c.relayStatic.slice(), devicePsk: c.devicePsk.slice(), admissionKey: c.admissionKey.slice() };
    // After a reboot the reserved block may have been partly used: skip all of it (protocol §4).
    this.usedCounter = c.counter;
    this.mac1 = mac1Key(c.relayStatic, c.admissionKey);
    this.cookieKey = cookieReplyKey(c.relayStatic);
  }

  // ---- enrollment ----------------------------------------------------------------

  /** Enroll with a claim bundle; resolves with the credentials (also passed to persist). */
  enroll(bundle: EnrollBundle): Promise<DeviceCredentials> {
    if (this.closed) return Promise.reject(new DeviceError('closed'));
    const relayStatic = bundle.relayStatic ?? x25519FromDid(bundle.relayDid ?? '');
    this.enrollment?.reset();
    this.cookieKey = cookieReplyKey(relayStatic);
    this.enrollment = new DeviceEnrollment({
      staticKey: this.staticKey,
      ed25519PublicKey: this.identity.ed25519PublicKey,
      send: (m) => this.sendRaw(m),
      newIndex: () => this.newIndex(),
      cookie: () => this.freshCookie(),
      storeCookie: (c) => this.storeCookie(c),
      cookieReplyKey: this.cookieKey,
    }, relayStatic, bundle.claimId, bundle.claimToken);
    return new Promise<DeviceCredentials>((resolve, reject) => {
      this.enrollPromise = { resolve, reject };
      this.rejecters.add(reject);
      this.enrollment!.start();
      this.stats.handshakesSent++;
      this.enrollRetryAt = this.clock.now() + this.retryDelay();
    });
  }

  private async enrolled(c: DeviceCredentials): Promise<void> {
    this.enrollment = null;
    const p = this.enrollPromise;
    this.enrollPromise = null;
    this.useCredentials(c);
    try {
      await this.persist(this.creds!);
      if (p !== null) { this.rejecters.delete(p.reject); p.resolve(this.creds!); }
    } catch (e) {
      p?.reject(e as Error);
    }
  }

  // ---- sessions ------------------------------------------------------------------

  /** Resolves once a session is usable (starting a handshake if needed). */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new DeviceError('closed'));
    if (this.creds === undefined) return Promise.reject(new DeviceError('not-enrolled'));
    if (this.current?.canSend(this.clock.now(), this.limits.rejectAfterTime)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.connectWaiters.push({ resolve, reject });
      this.rejecters.add(reject);
      this.startHandshake();
    });
  }

  /** Start a new handshake now (as a REKEY frame would). */
  rekey(): void {
    this.startHandshake();
  }

  /** Send one DATA frame; resolves when the relay ACKs it (after sending again as needed). */
  send(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new DeviceError('closed'));
    if (this.creds === undefined) return Promise.reject(new DeviceError('not-enrolled'));
    if (bytes.length > MAX_DATA_BYTES) return Promise.reject(new DeviceError('too-large', `device: DATA above ${MAX_DATA_BYTES} bytes`));
    return new Promise<void>((resolve, reject) => {
      const item: OutgoingData = {
        data: bytes.slice(), acked: false, sentAt: 0,
        resolve: () => { this.rejecters.delete(reject); resolve(); },
      };
      this.rejecters.add(reject);
      const s = this.current;
      if (s !== null && s.canSend(this.clock.now(), this.limits.rejectAfterTime)) this.sendItems(s, [item]);
      else {
        this.queue.push(item);
        this.startHandshake();
      }
    });
  }

  private startHandshake(): void {
    if (this.pending !== null || this.starting || this.closed || this.creds === undefined) return;
    this.starting = true;
    void this.beginHandshake().finally(() => { this.starting = false; });
  }

  private async beginHandshake(): Promise<void> {
    const creds = this.creds!;
    const counter = ++this.usedCounter;
    if (counter > creds.counter) {
      // Write-ahead: reserve a block and store it before the counter leaves the device (§4).
      creds.counter = counter + BigInt(C.COUNTER_RESERVE) - 1n;
      await this.persist(creds);
      if (this.closed) return;
    }
    const hs = new HandshakeState({
      pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: this.staticKey, rs: creds.relayStatic, psk: creds.devicePsk,
    });
    const index = this.newIndex();
    const message = encodeSessionInit(index, hs.writeMessage(u64Bytes(counter)));
    writeMacs(message, SESSION_INIT_MAC1, this.mac1!, this.freshCookie());
    this.pending?.hs.wipe();
    this.pending = { hs, index, message, retryAt: this.clock.now() + this.retryDelay() };
    this.stats.handshakesSent++;
    this.sendRaw(message);
  }

  private onSessionResp(m: SessionResp): void {
    const p = this.pending;
    if (p === null || m.receiver !== p.index) return this.dropped();
    const trial = p.hs.clone(); // a forged response must not spoil the handshake (§8)
    try {
      bindResponseHeader(trial, m.bytes); // its tag must then cover the relay's index too (§2)
      trial.readMessage(m.noise);
    } catch {
      return this.dropped();
    }
    const { send, recv } = trial.split();
    trial.wipe();
    p.hs.wipe();
    this.pending = null;
    const now = this.clock.now();
    const s = new DeviceSession(p.index, m.sender, send, recv, now, now + this.limits.rekeyAfterTime + this.jitter(this.limits.rekeyJitter),
      this.link.kind === 'tcp', this.limits.replayWindow, this.limits.rejectAfterMessages);
    this.previous?.wipe();
    this.previous = this.current;
    this.current = s;
    this.stats.sessions++;
    for (const w of this.connectWaiters.splice(0)) { this.rejecters.delete(w.reject); w.resolve(); }
    // Queued DATA goes now; with none, a keepalive confirms the keys to the relay (§4).
    const queued = this.queue.splice(0);
    if (queued.length > 0) this.sendItems(s, queued);
    else this.sendFrames(s, []);
  }

  private onSessionCookie(m: CookieReply): void {
    const p = this.pending;
    if (p === null || m.receiver !== p.index) return this.dropped();
    const cookie = openCookie(this.cookieKey!, m.nonce, p.message.subarray(SESSION_INIT_MAC1, SESSION_INIT_MAC1 + C.MAC_BYTES), m.encryptedCookie);
    if (cookie === null) return this.dropped();
    this.storeCookie(cookie);
    writeMacs(p.message, SESSION_INIT_MAC1, this.mac1!, cookie);
    this.sendRaw(p.message);
  }

  private onTransport(m: Transport): void {
    const s = this.current?.localIndex === m.receiver ? this.current : this.previous?.localIndex === m.receiver ? this.previous : null;
    if (s === null) return this.dropped();
    const now = this.clock.now();
    if (now - s.createdAt >= this.limits.rejectAfterTime || m.counter < 0 || m.counter >= this.limits.rejectAfterMessages) return this.dropped();
    if (s.window !== null && !s.window.check(m.counter)) return this.dropped();
    const p = s.open(m.counter, m.ciphertext);
    if (p === null) return this.dropped();
    if (s.window !== null) {
      if (!s.window.accept(m.counter)) return this.dropped();
    } else if (m.counter !== s.nextRecv) {
      this.dropped();
      void this.link.close(); // strict order on TCP (§6)
      return;
    } else s.nextRecv++;
    this.stats.recordsReceived++;
    const frames = decodeFrames(p);
    if (frames === null) return this.dropped();
    let hasData = false;
    for (const f of frames) {
      switch (f.kind) {
        case C.FRAME_DATA: hasData = true; this.onData(f.data); break;
        case C.FRAME_ACK: this.acked(s, f.counter); break;
        case C.FRAME_REKEY:
          if (s === this.current && this.pending === null) { this.stats.rekeysRequested++; this.startHandshake(); }
          break;
        default: break;
      }
    }
    if (hasData && s.canSend(now, this.limits.rejectAfterTime)) this.sendFrames(s, [{ kind: C.FRAME_ACK, counter: m.counter }]);
  }

  private acked(s: DeviceSession, counter: number): void {
    const items = s.unacked.get(counter);
    if (items === undefined) return;
    s.unacked.delete(counter);
    for (const i of items) {
      if (i.acked) continue;
      i.acked = true;
      this.stats.dataAcked++;
      i.resolve();
    }
  }

  /** Pack DATA into as few records as fit; remember which record carried what. */
  private sendItems(s: DeviceSession, items: OutgoingData[]): void {
    let batch: OutgoingData[] = [];
    let size = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      const counter = this.sendFrames(s, batch.map((i) => ({ kind: C.FRAME_DATA, data: i.data })));
      if (counter >= 0) {
        const now = this.clock.now();
        for (const i of batch) i.sentAt = now;
        s.unacked.set(counter, batch);
      } else this.queue.push(...batch);
      batch = [];
      size = 0;
    };
    for (const i of items) {
      const n = C.FRAME_HEADER_BYTES + i.data.length;
      if (size + n > C.MAX_RECORD_PLAINTEXT) flush();
      batch.push(i);
      size += n;
    }
    flush();
  }

  /** Seal and send one record; its counter, or -1 when `s` cannot send. */
  private sendFrames(s: DeviceSession, frames: Frame[]): number {
    const now = this.clock.now();
    if (!s.canSend(now, this.limits.rejectAfterTime)) {
      this.startHandshake();
      return -1;
    }
    const { counter, message } = s.seal(encodeFrames(frames));
    this.sendRaw(message);
    this.stats.recordsSent++;
    this.lastSendAt = now;
    if (s === this.current && s.sendCounter >= this.limits.rekeyAfterMessages && this.pending === null && !this.starting) {
      this.stats.rekeysByMessages++;
      this.startHandshake();
    }
    return counter;
  }

  // ---- maintenance ----------------------------------------------------------------

  private scheduleTick(): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.tick();
      this.scheduleTick();
    }, TICK_MS);
  }

  /** Timers of §5-§7; runs every second on the injected clock. */
  private tick(): void {
    const now = this.clock.now();
    if (this.enrollment !== null && now >= this.enrollRetryAt) {
      this.enrollment.retry(this.limits.enrollFinishAttempts);
      this.stats.handshakesSent++;
      this.enrollRetryAt = now + this.retryDelay();
    }
    if (this.pending !== null && now >= this.pending.retryAt) {
      this.pending.hs.wipe();
      this.pending = null; // retry with a fresh handshake and counter
      this.startHandshake();
    }
    const cur = this.current;
    if (cur !== null && this.pending === null && !this.starting) {
      if (now >= cur.rekeyAt) { this.stats.rekeysByTime++; this.startHandshake(); } else if (!cur.canSend(now, this.limits.rejectAfterTime)) this.startHandshake();
    }
    if (this.previous !== null && now - this.previous.createdAt >= this.limits.rejectAfterTime) {
      this.previous.wipe();
      this.previous = null;
    }
    if (this.current !== null && now - this.current.createdAt >= this.limits.rejectAfterTime) {
      this.current.wipe();
      this.current = null;
    }
    this.retransmit(now);
    const s = this.current;
    if (s !== null && now - this.lastSendAt >= this.limits.keepaliveTimeout && s.canSend(now, this.limits.rejectAfterTime)) this.sendFrames(s, []);
  }

  /** DATA unacknowledged for retransmitTimeout goes again on the current session (§7). */
  private retransmit(now: number): void {
    const again: OutgoingData[] = [];
    for (const s of [this.previous, this.current]) {
      if (s === null) continue;
      for (const [counter, items] of s.unacked) {
        const open = items.filter((i) => !i.acked);
        if (open.length === 0) { s.unacked.delete(counter); continue; }
        if (open.some((i) => now - i.sentAt >= this.limits.retransmitTimeout)) {
          s.unacked.delete(counter);
          again.push(...open);
        }
      }
    }
    if (again.length === 0) return;
    this.stats.retransmits += again.length;
    const cur = this.current;
    if (cur !== null && cur.canSend(now, this.limits.rejectAfterTime)) this.sendItems(cur, again);
    else {
      this.queue.push(...again);
      this.startHandshake();
    }
  }

  // ---- plumbing --------------------------------------------------------------------

  private onMessage(bytes: Uint8Array): void {
    if (this.closed) return;
    const m = decodeMessage(bytes);
    if (typeof m === 'string') return this.dropped();
    try {
      switch (m.type) {
        case C.SESSION_RESP: return this.onSessionResp(m);
        case C.COOKIE_REPLY:
          this.stats.cookies++;
          if (this.enrollment?.onCookie(m)) return;
          return this.onSessionCookie(m);
        case C.ENROLL_RESP:
          if (this.enrollment === null || !this.enrollment.onResp(m)) return this.dropped();
          this.enrollRetryAt = this.clock.now() + this.retryDelay();
          return;
        case C.TRANSPORT:
          if (this.enrollment !== null && this.enrollment.onTransport(m)) { void this.enrolled(this.enrollment.result!); return; }
          return this.onTransport(m);
        default: return this.dropped();
      }
    } catch (e) {
      if (e instanceof DeviceError && e.code === 'relay-key-mismatch') {
        this.logger.error('device: relay static key differs from the pinned one');
        const p = this.enrollPromise;
        this.enrollPromise = null;
        this.enrollment = null;
        if (p !== null) { this.rejecters.delete(p.reject); p.reject(e); }
        return;
      }
      throw e;
    }
  }

  private dropped(): void {
    this.stats.dropped++;
  }

  private sendRaw(m: Uint8Array): void {
    if (!this.closed) this.link.send(m);
  }

  private newIndex(): number {
    const b = this.random(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  /** Uniform in [-j, +j] from the device RNG. */
  private jitter(j: number): number {
    const b = this.random(4);
    const u = ((b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0) / 2 ** 32;
    return Math.round((2 * u - 1) * j);
  }

  private retryDelay(): number {
    return this.limits.rekeyTimeout + this.jitter(this.limits.rekeyTimeoutJitter);
  }

  private freshCookie(): Uint8Array | null {
    return this.cookie !== null && this.clock.now() - this.cookie.at < this.limits.cookieLifetime ? this.cookie.value : null;
  }

  private storeCookie(value: Uint8Array): void {
    this.cookie = { value, at: this.clock.now() };
  }

  private shutdown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.pending?.hs.wipe();
    this.pending = null;
    this.current?.wipe();
    this.previous?.wipe();
    this.current = this.previous = null;
    this.enrollment?.reset();
    this.enrollment = null;
    for (const r of [...this.rejecters]) r(reason);
    this.rejecters.clear();
    this.connectWaiters.length = 0;
  }

  /** Close the link and wipe every key; pending promises reject with DeviceError('closed'). */
  async close(): Promise<void> {
    this.shutdown(new DeviceError('closed'));
    await this.link.close();
  }
}

export type { DeviceCredentials };
