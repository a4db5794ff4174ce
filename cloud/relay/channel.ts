// The relay's channel layer without sockets: decode, dispatch to one handler per
// message type, admission under load (protocol §5), sending on sessions, key
// rotation requests (§7), revocation and expiry. server.ts feeds it datagrams
// and TCP frames through Endpoints; tests can feed it directly.

import { randomBytes } from 'node:crypto';
import { keyPairFromSecret, type KeyPair } from '../noise/crypto.ts';
import * as C from '../protocol/constants.ts';
import { encodeFrames, type Frame } from '../protocol/frames.ts';
import { mac1Key } from '../protocol/macs.ts';
import { decodeMessage } from '../protocol/messages.ts';
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { AnsweredEphemerals } from './answered-ephemerals.ts';
import { CookieChecker } from './cookies.ts';
import type { Endpoint } from './endpoint.ts';
import type { EnrollmentState } from './enrollment-state.ts';
import { handleEnrollFinish } from './handle-enroll-finish.ts';
import { handleEnrollInit } from './handle-enroll-init.ts';
import { handleSessionInit } from './handle-session-init.ts';
import { handleTransport } from './handle-transport.ts';
import { DEFAULT_LIMITS, type ChannelLimits } from './limits.ts';
import { newMetrics, type ChannelMetrics, type DropReason } from './metrics.ts';
import { RateMeter, TokenBuckets } from './rate-limit.ts';
import type { Registry } from './registry.ts';
import type { Session } from './session.ts';
import { SessionTable } from './session-table.ts';

/** Receives the application bytes of every DATA frame; the frame is ACKed once this returns (or its promise resolves). */
export type DataHandler = (deviceDid: string, bytes: Uint8Array) => void | Promise<void>;

export interface ChannelOptions {
  /** SECRET. X25519 secret of the relay network key (identityFromSeed(seed).x25519Secret). */
  staticSecret: Uint8Array;
  /** SECRET. The network admission key handed to devices in ENROLLED (keys SESSION_INIT mac1). */
  admissionKey: Uint8Array;
  registry: Registry;
  onData?: DataHandler;
  clock?: Clock;
  logger?: Logger;
  /** Randomness for indices, R_secret and cookie nonces (default node:crypto). */
  random?: (n: number) => Uint8Array;
  limits?: Partial<ChannelLimits>;
}

const defaultRandom = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export class Channel {
  readonly metrics: ChannelMetrics = newMetrics();
  readonly limits: ChannelLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: (n: number) => Uint8Array;
  readonly registry: Registry;
  readonly onData: DataHandler;
  readonly table: SessionTable;
  readonly staticKey: KeyPair;
  readonly admissionKey: Uint8Array;
  /** HASH("mac1----" || S_relay || admission_key): SESSION_INIT mac1 key. */
  readonly sessionMac1Key: Uint8Array;
  readonly cookies: CookieChecker;
  /** Highest initiation counter accepted per device in this process (closes the race between concurrent initiations). */
  readonly counters = new Map<string, bigint>();
  /** DIDs revoked through this channel (a handshake in flight during revoke() must not install a session). */
  readonly revokedHere = new Set<string>();
  /** Device ephemerals already answered per claim: a replayed ENROLL_INIT is dropped before any DH (§3). */
  readonly answered = new AnsweredEphemerals();
  /** The live (unfinished) enrollment per claim id (hex): a newer ENROLL_INIT (fresh `e`) replaces it. */
  readonly enrollByClaim = new Map<string, EnrollmentState>();
  /** Counts every DH and key generation (metrics.dhOperations). */
  readonly onDh = (): void => { this.metrics.dhOperations++; };
  closed = false;

  private readonly load: RateMeter;
  private readonly seen: TokenBuckets;
  private readonly proven: TokenBuckets;
  private readonly ackQueue = new Set<Session>();
  private ackFlushScheduled = false;
  private sweepTimer: TimerHandle | null = null;

  constructor(opts: ChannelOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.random = opts.random ?? defaultRandom;
    this.registry = opts.registry;
    this.onData = opts.onData ?? (() => {});
    if (opts.admissionKey.length !== C.KEY_BYTES) throw new RangeError('admissionKey: expected 32 bytes');
    this.admissionKey = opts.admissionKey.slice();
    this.staticKey = keyPairFromSecret(opts.staticSecret);
    this.sessionMac1Key = mac1Key(this.staticKey.publicKey, this.admissionKey);
    this.cookies = new CookieChecker(this.staticKey.publicKey, this.clock, this.random, this.limits.cookieSecretLifetime);
    this.table = new SessionTable(this.random);
    this.load = new RateMeter(this.clock);
    this.seen = new TokenBuckets(this.clock, this.limits.handshakeRatePerSource, this.limits.handshakeBurstPerSource);
    this.proven = new TokenBuckets(this.clock, this.limits.handshakeRatePerSource, this.limits.handshakeBurstPerSource);
    this.scheduleSweep();
  }

  /** The relay network's X25519 public key S_relay. */
  get relayStatic(): Uint8Array {
    return this.staticKey.publicKey;
  }

  /** One message from `ep` (a datagram, or a TCP frame without its length). */
  handle(bytes: Uint8Array, ep: Endpoint): void {
    if (this.closed) return;
    const m = decodeMessage(bytes);
    if (typeof m === 'string') return this.drop(m, ep);
    let pending: Promise<void> | void;
    try {
      switch (m.type) {
        case C.TRANSPORT: return handleTransport(this, m, ep);
        case C.SESSION_INIT: pending = handleSessionInit(this, m, ep); break;
        case C.ENROLL_INIT: pending = handleEnrollInit(this, m, ep); break;
        case C.ENROLL_FINISH: pending = handleEnrollFinish(this, m, ep); break;
        default: return this.drop('unexpected-type', ep); // relay-to-device types
      }
    } catch (e) {
      this.logger.error('channel: handler failed', { error: String(e) });
      return;
    }
    pending?.catch((e: unknown) => this.logger.error('channel: handler failed', { error: String(e) }));
  }

  /** Count a dropped message (protocol §8: no reply). */
  drop(reason: DropReason, ep?: Endpoint): void {
    this.metrics.drops[reason]++;
    this.logger.debug('channel: drop', { reason, from: ep === undefined ? undefined : `${ep.kind}:${ep.address}:${ep.port}` });
  }

  /**
   * DoS admission of a handshake message whose mac1 is valid (protocol §5; WireGuard §5.3):
   * - under load = more than loadThreshold handshake messages/s in total, or this
   *   source address over its own rate (a bucket every message of the address draws on);
   * - under load, a message without a valid mac2 gets a COOKIE_REPLY and nothing else;
   * - a message with a valid mac2 (its source address is proven) draws on a second
   *   bucket that only proven messages use, so a spoofer cannot drain it; over that
   *   rate the message is dropped unanswered.
   * Returns true when the handshake may proceed.
   */
  admit(msg: Uint8Array, mac1At: number, sender: number, ep: Endpoint): boolean {
    this.load.hit();
    const overSource = !this.seen.take(ep.address);
    if (!overSource && this.load.rate() <= this.limits.loadThreshold) return true;
    if (!this.cookies.checkMac2(msg, mac1At + C.MAC_BYTES, ep.address, ep.port)) {
      ep.send(this.cookies.reply(msg, mac1At, sender, ep.address, ep.port));
      this.metrics.handshakes.cookieReplies++;
      return false;
    }
    if (!this.proven.take(ep.address)) {
      this.drop('rate-limited', ep);
      return false;
    }
    return true;
  }

  /** Seal `frames` into one record on `s` and send it; false when the session can no longer send (§7). */
  sendFrames(s: Session, frames: readonly Frame[]): boolean {
    if (s.wiped || this.clock.now() - s.createdAt >= this.limits.rejectAfterTime) return false;
    const rec = s.seal(encodeFrames(frames));
    if (rec === null) return false;
    s.endpoint.send(rec);
    this.metrics.recordsOut++;
    if (!s.rekeySent && s.sendCounter >= this.limits.rekeyAfterMessages) this.sendRekey(s);
    return true;
  }

  /** Send a REKEY frame on `s` (once per session unless forced). */
  sendRekey(s: Session): boolean {
    s.rekeySent = true;
    const ok = this.sendFrames(s, [{ kind: C.FRAME_REKEY }]);
    if (ok) this.metrics.rekeysRequested++;
    return ok;
  }

  /** Queue an ACK of record `counter` on `s`; ACKs are flushed together after the current I/O burst. */
  queueAck(s: Session, counter: number): void {
    if (s.wiped) return;
    s.pendingAcks.push(counter);
    this.ackQueue.add(s);
    if (!this.ackFlushScheduled) {
      this.ackFlushScheduled = true;
      setImmediate(() => this.flushAcks());
    }
  }

  private flushAcks(): void {
    this.ackFlushScheduled = false;
    const perRecord = Math.floor(C.MAX_RECORD_PLAINTEXT / (C.FRAME_HEADER_BYTES + 8));
    for (const s of this.ackQueue) {
      const acks = s.pendingAcks;
      s.pendingAcks = [];
      for (let i = 0; i < acks.length; i += perRecord) {
        const frames: Frame[] = acks.slice(i, i + perRecord).map((counter) => ({ kind: C.FRAME_ACK, counter }));
        if (this.sendFrames(s, frames)) this.metrics.acksSent += frames.length;
      }
    }
    this.ackQueue.clear();
  }

  /** REKEY frame to `did` on its current session (operator request, §7). */
  requestRekey(did: string): boolean {
    const s = this.table.current(did);
    return s !== undefined && this.sendRekey(s);
  }

  /** A DATA frame to `did` on its current session (best effort: no retransmission at this layer). */
  sendData(did: string, bytes: Uint8Array): boolean {
    const s = this.table.current(did);
    return s !== undefined && this.sendFrames(s, [{ kind: C.FRAME_DATA, data: bytes }]);
  }

  /** Revoke `did`: registry first, then every session of the device ends at once (and its TCP connections close). */
  async revoke(did: string): Promise<void> {
    this.revokedHere.add(did);
    const endpoints = new Set<Endpoint>();
    for (const s of this.table.sessions()) if (s.did === did && s.endpoint.kind === 'tcp') endpoints.add(s.endpoint);
    this.table.endDevice(did);
    for (const ep of endpoints) ep.close();
    await this.registry.revoke(did);
    this.logger.info('channel: device revoked', { did });
  }

  /** End the sessions bound to a TCP connection that closed. */
  endpointClosed(ep: Endpoint): void {
    if (ep.sessions === undefined) return;
    for (const s of [...ep.sessions]) this.table.drop(s);
  }

  /** Expire sessions past REJECT_AFTER_TIME and stale enrollments; trim rate-limit state. */
  sweep(): void {
    const now = this.clock.now();
    for (const s of [...this.table.sessions()]) {
      if (now - s.createdAt >= this.limits.rejectAfterTime) {
        this.table.drop(s);
        this.metrics.sessionsExpired++;
      }
    }
    for (const e of [...this.table.enrollments()]) {
      const age = now - e.createdAt;
      if (e.done !== null ? age >= this.limits.enrollRetain : age >= 3 * this.limits.rekeyTimeout && !e.busy) this.removeEnrollment(e);
    }
    this.answered.sweep(now);
    this.seen.sweep();
    this.proven.sweep();
  }

  removeEnrollment(e: EnrollmentState): void {
    this.table.removeEnrollment(e);
    const key = Buffer.from(e.claim.claimId).toString('hex');
    if (this.enrollByClaim.get(key) === e) this.enrollByClaim.delete(key);
    e.wipe();
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.sweep();
      this.scheduleSweep();
    }, this.limits.rekeyTimeout);
  }

  /** Stop timers and wipe every key. */
  close(): void {
    this.closed = true;
    if (this.sweepTimer !== null) this.clock.clearTimeout(this.sweepTimer);
    this.table.clear();
    this.cookies.wipe();
    this.answered.clear();
    this.admissionKey.fill(0);
    this.sessionMac1Key.fill(0);
  }
}
