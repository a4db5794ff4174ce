// HandshakeState (Noise rev. 34 §5.3) with psk modifiers (§9), for the
// patterns in patterns.ts and the suite in crypto.ts.
//
// Beyond the spec's interface:
// - readMessageUntilStatic()/continueRead(): stop right after the remote static
//   key is decrypted, so a responder can look the key up (maybe asynchronously)
//   and drop unknown peers before doing any further DH (sealink protocol §4; the
//   way wireguard-go's ConsumeMessageInitiation works).
// - setPsk(): the responder of IKpsk2 learns which PSK to use only from the
//   initiator's static key.
// - clone(): a failed read leaves a Noise HandshakeState unusable (§5.3), so a
//   party that must survive forged messages reads on a clone and keeps it only
//   on success (sealink protocol §8: dropped messages never change state).
// - onDh: called for every DH and every generated key pair (relay metrics).
// - mixHash(): MixHash (§5.2) between messages, so a protocol can bind data it
//   sends in the clear (sealink binds each response's header, protocol §2).

import { CipherState } from './cipher-state.ts';
import { dh, DHLEN, generateKeyPair, KEYLEN, NoiseError, publicKeyObject, TAGLEN, type KeyPair } from './crypto.ts';
import { isPskPattern, PATTERNS, protocolName, type HandshakePattern, type PatternName, type Token } from './patterns.ts';
import { SymmetricState } from './symmetric-state.ts';
import type { KeyObject } from 'node:crypto';

export interface HandshakeOptions {
  pattern: PatternName;
  initiator: boolean;
  /** Prologue (§6); empty when absent. */
  prologue?: Uint8Array;
  /** Local static key pair, when the pattern uses one. */
  s?: KeyPair;
  /** Remote static public key known in advance (the IK initiator's pre-message). */
  rs?: Uint8Array;
  /** 32-byte PSK for psk patterns; may instead be given later with setPsk(). */
  psk?: Uint8Array;
  /**
   * TEST ONLY: a fixed ephemeral key pair (the `e` argument of Initialize(), §5.3:
   * used for test vectors). Never set in production: reusing an ephemeral breaks
   * forward secrecy and, with a psk, key separation.
   */
  e?: KeyPair;
  /** Called once per DH and per generated key pair (metrics). */
  onDh?: () => void;
}

const EMPTY = new Uint8Array(0);

interface ReadCursor {
  message: Uint8Array;
  offset: number;
  token: number;
}

export class HandshakeState {
  private readonly pattern: HandshakePattern;
  private readonly initiator: boolean;
  private readonly psks: boolean;
  private ss: SymmetricState;
  private s: KeyPair | undefined;
  private e: KeyPair | undefined;
  private rs: Uint8Array | undefined;
  private rsKey: KeyObject | undefined;
  private re: Uint8Array | undefined;
  private reKey: KeyObject | undefined;
  private psk: Uint8Array | undefined;
  private fixedE: KeyPair | undefined;
  private readonly onDh: (() => void) | undefined;
  private index = 0;
  private cursor: ReadCursor | null = null;

  /** Initialize() (§5.3). */
  constructor(opts: HandshakeOptions) {
    this.pattern = PATTERNS[opts.pattern];
    if (this.pattern === undefined) throw new TypeError(`HandshakeState: unknown pattern ${String(opts.pattern)}`);
    this.initiator = opts.initiator;
    this.psks = isPskPattern(this.pattern);
    this.s = opts.s;
    this.fixedE = opts.e;
    this.onDh = opts.onDh;
    if (opts.rs !== undefined) this.setRemoteStatic(opts.rs);
    if (opts.psk !== undefined) this.setPsk(opts.psk);
    this.ss = new SymmetricState(new TextEncoder().encode(protocolName(opts.pattern)));
    this.ss.mixHash(opts.prologue ?? EMPTY);
    // Pre-messages: the initiator's keys are hashed first (§5.3).
    for (const t of this.pattern.preInitiator) this.ss.mixHash(this.preKey(t, true));
    for (const t of this.pattern.preResponder) this.ss.mixHash(this.preKey(t, false));
  }

  private preKey(token: Token, ofInitiator: boolean): Uint8Array {
    const local = ofInitiator === this.initiator;
    if (token === 's') {
      const k = local ? this.s?.publicKey : this.rs;
      if (k === undefined) throw new NoiseError('state', `noise: pre-message needs the ${local ? 'local' : 'remote'} static key`);
      return k;
    }
    throw new NoiseError('state', `noise: unsupported pre-message token ${token}`);
  }

  private setRemoteStatic(rs: Uint8Array): void {
    if (rs.length !== DHLEN) throw new RangeError(`remote static: expected ${DHLEN} bytes`);
    this.rs = rs.slice();
    this.rsKey = undefined;
  }

  /** Set the PSK (§9.1) before the message with the "psk" token is written or read. */
  setPsk(psk: Uint8Array): void {
    if (!(psk instanceof Uint8Array)) throw new TypeError('psk: expected Uint8Array');
    if (psk.length !== KEYLEN) throw new RangeError(`psk: expected ${KEYLEN} bytes`);
    this.psk?.fill(0);
    this.psk = psk.slice();
  }

  /** True when every handshake message has been written or read. */
  isComplete(): boolean {
    return this.index === this.pattern.messages.length;
  }

  /** True when the next message is ours to write. */
  isMyTurn(): boolean {
    return (this.index % 2 === 0) === this.initiator;
  }

  /** The remote static public key, once known. */
  remoteStatic(): Uint8Array | undefined {
    return this.rs?.slice();
  }

  /** The local ephemeral public key, once generated. */
  localEphemeral(): Uint8Array | undefined {
    return this.e?.publicKey.slice();
  }

  /**
   * MixHash(data) (§5.2) between two messages: every later AEAD tag of the
   * handshake then covers `data`, so both sides must hash the same bytes at the
   * same point. sealink hashes a response's header just before message 2 is
   * written or read (protocol §2); pure Noise (the test vectors) never calls it.
   */
  mixHash(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data: expected Uint8Array');
    if (this.cursor !== null || this.isComplete()) throw new NoiseError('state', 'noise: mixHash only between messages');
    this.ss.mixHash(data);
  }

  /** GetHandshakeHash() (§5.2): for channel binding once complete. */
  handshakeHash(): Uint8Array {
    return this.ss.handshakeHash();
  }

  /**
   * A copy of the chaining key. SECRET. sealink derives the per-device PSK from
   * it after enrollment (protocol §3); call before split()/wipe().
   */
  chainingKey(): Uint8Array {
    return this.ss.ck.slice();
  }

  private dh(local: KeyPair | undefined, remote: 'rs' | 're'): Uint8Array {
    if (local === undefined) throw new NoiseError('state', 'noise: missing local key');
    let key: KeyObject;
    if (remote === 'rs') {
      if (this.rs === undefined) throw new NoiseError('state', 'noise: missing remote static');
      key = this.rsKey ??= publicKeyObject(this.rs);
    } else {
      if (this.re === undefined) throw new NoiseError('state', 'noise: missing remote ephemeral');
      key = this.reKey ??= publicKeyObject(this.re);
    }
    this.onDh?.();
    return dh(local, key);
  }

  private mixDh(token: Token): void {
    let out: Uint8Array;
    switch (token) {
      case 'ee': out = this.dh(this.e, 're'); break;
      case 'es': out = this.initiator ? this.dh(this.e, 'rs') : this.dh(this.s, 're'); break;
      case 'se': out = this.initiator ? this.dh(this.s, 're') : this.dh(this.e, 'rs'); break;
      case 'ss': out = this.dh(this.s, 'rs'); break;
      default: throw new NoiseError('state', `noise: not a DH token: ${token}`);
    }
    this.ss.mixKey(out);
    out.fill(0);
  }

  private mixPsk(): void {
    if (this.psk === undefined) throw new NoiseError('state', 'noise: psk token but no psk set');
    this.ss.mixKeyAndHash(this.psk);
  }

  /** WriteMessage(payload, message_buffer) (§5.3): returns the message. */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    if (this.isComplete() || !this.isMyTurn() || this.cursor !== null) throw new NoiseError('state', 'noise: not our turn to write');
    const parts: Uint8Array[] = [];
    for (const token of this.pattern.messages[this.index]) {
      switch (token) {
        case 'e': {
          if (this.fixedE !== undefined) { this.e = this.fixedE; this.fixedE = undefined; } else { this.onDh?.(); this.e = generateKeyPair(); }
          parts.push(this.e.publicKey);
          this.ss.mixHash(this.e.publicKey);
          if (this.psks) this.ss.mixKey(this.e.publicKey); // §9.2
          break;
        }
        case 's': {
          if (this.s === undefined) throw new NoiseError('state', 'noise: no local static key');
          parts.push(this.ss.encryptAndHash(this.s.publicKey));
          break;
        }
        case 'psk': this.mixPsk(); break;
        default: this.mixDh(token);
      }
    }
    parts.push(this.ss.encryptAndHash(payload));
    this.index++;
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) { out.set(p, n); n += p.length; }
    return out;
  }

  /** ReadMessage(message, payload_buffer) (§5.3): returns the payload; throws NoiseError on failure. */
  readMessage(message: Uint8Array): Uint8Array {
    this.startRead(message);
    this.runRead(false);
    return this.continueRead();
  }

  /**
   * Read the tokens of the next message up to and including its "s" token and
   * return the decrypted remote static key; finish with continueRead(). No DH
   * after the "s" token has been done when this returns.
   */
  readMessageUntilStatic(message: Uint8Array): Uint8Array {
    this.startRead(message);
    if (!this.runRead(true)) throw new NoiseError('state', 'noise: this message has no static key');
    return this.rs!.slice();
  }

  /** Finish a read begun with readMessageUntilStatic() (also used by readMessage()). */
  continueRead(): Uint8Array {
    const c = this.cursor;
    if (c === null) throw new NoiseError('state', 'noise: no read in progress');
    this.runRead(false);
    const payload = this.ss.decryptAndHash(c.message.subarray(c.offset));
    this.cursor = null;
    this.index++;
    return payload;
  }

  private startRead(message: Uint8Array): void {
    if (this.isComplete() || this.isMyTurn() || this.cursor !== null) throw new NoiseError('state', 'noise: not our turn to read');
    if (!(message instanceof Uint8Array)) throw new TypeError('message: expected Uint8Array');
    this.cursor = { message, offset: 0, token: 0 };
  }

  /** Process tokens from the cursor; with stopAfterStatic, return true right after an "s" token. */
  private runRead(stopAfterStatic: boolean): boolean {
    const c = this.cursor!;
    const tokens = this.pattern.messages[this.index];
    while (c.token < tokens.length) {
      const token = tokens[c.token++];
      switch (token) {
        case 'e': {
          if (c.message.length - c.offset < DHLEN) throw new NoiseError('length');
          this.re = c.message.slice(c.offset, c.offset + DHLEN);
          this.reKey = undefined;
          c.offset += DHLEN;
          this.ss.mixHash(this.re);
          if (this.psks) this.ss.mixKey(this.re); // §9.2
          break;
        }
        case 's': {
          const len = this.ss.cipher.hasKey() ? DHLEN + TAGLEN : DHLEN;
          if (c.message.length - c.offset < len) throw new NoiseError('length');
          const rs = this.ss.decryptAndHash(c.message.subarray(c.offset, c.offset + len));
          c.offset += len;
          this.setRemoteStatic(rs);
          if (stopAfterStatic) return true;
          break;
        }
        case 'psk': this.mixPsk(); break;
        default: this.mixDh(token);
      }
    }
    const need = this.ss.cipher.hasKey() ? TAGLEN : 0;
    if (c.message.length - c.offset < need) throw new NoiseError('length');
    return false;
  }

  /**
   * Split() (§5.2) once the handshake is complete: `send` / `recv` for this side
   * (the initiator sends with the first CipherState).
   */
  split(): { send: CipherState; recv: CipherState } {
    if (!this.isComplete()) throw new NoiseError('state', 'noise: handshake not complete');
    const [c1, c2] = this.ss.split();
    return this.initiator ? { send: c1, recv: c2 } : { send: c2, recv: c1 };
  }

  /** Zero ck, k, the psk and forget the ephemeral (sealink §7). */
  wipe(): void {
    this.ss.wipe();
    this.psk?.fill(0);
    this.psk = undefined;
    this.e = undefined;
    this.fixedE = undefined;
    this.cursor = null;
  }

  /** An independent copy (key objects are immutable and shared). */
  clone(): HandshakeState {
    const c = Object.create(HandshakeState.prototype) as HandshakeState;
    Object.assign(c, this);
    c.ss = this.ss.clone();
    c.psk = this.psk?.slice();
    c.cursor = this.cursor === null ? null : { ...this.cursor };
    return c;
  }
}
