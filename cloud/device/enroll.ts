// Device side of enrollment (protocol §3): XXpsk3 initiator with the claim PSK,
// the relay's static key pinned, ENROLL_FINISH carrying the Ed25519 public key,
// then the ENROLLED record. Retries: ENROLL_INIT (fresh handshake) every
// REKEY_TIMEOUT ± jitter until ENROLL_RESP; then the same ENROLL_FINISH bytes until
// ENROLLED, and after enrollFinishAttempts back to ENROLL_INIT.

import { HandshakeState } from '../noise/handshake-state.ts';
import { equalBytes, type KeyPair } from '../noise/crypto.ts';
import type { CipherState } from '../noise/cipher-state.ts';
import { concatBytes } from '../protocol/bytes.ts';
import { FRAME_ENROLLED, PROLOGUE_ENROLL_PREFIX } from '../protocol/constants.ts';
import { decodeFrames } from '../protocol/frames.ts';
import { claimPsk, devicePsk } from '../protocol/keys.ts';
import { mac1Key, openCookie, writeMacs } from '../protocol/macs.ts';
import { bindResponseHeader } from '../protocol/response-header.ts';
import {
  ENROLL_INIT_MAC1, encodeEnrollFinish, encodeEnrollInit, type CookieReply, type EnrollResp, type Transport,
} from '../protocol/messages.ts';
import { DeviceError } from './errors.ts';

/** What enrollment gives the device to persist. SECRET: devicePsk, admissionKey. */
export interface DeviceCredentials {
  /** S_relay, pinned. */
  relayStatic: Uint8Array;
  devicePsk: Uint8Array;
  admissionKey: Uint8Array;
  /** Highest initiation counter reserved in storage (write-ahead, COUNTER_RESERVE at a time). */
  counter: bigint;
}

/** What the enrollment needs from its client. */
export interface EnrollHost {
  staticKey: KeyPair;
  ed25519PublicKey: Uint8Array;
  send(message: Uint8Array): void;
  newIndex(): number;
  cookie(): Uint8Array | null;
  storeCookie(cookie: Uint8Array): void;
  cookieReplyKey: Uint8Array;
  onDh?: () => void;
}

const EMPTY = new Uint8Array(0);

export class DeviceEnrollment {
  private readonly claimPsk: Uint8Array;
  private readonly mac1Key: Uint8Array;
  private readonly prologue: Uint8Array;
  private hs: HandshakeState | null = null;
  /** Our sender index for the current attempt. */
  index = -1;
  private lastInit: Uint8Array | null = null;
  private finish: Uint8Array | null = null;
  private recv: CipherState | null = null;
  private psk: Uint8Array | null = null;
  finishAttempts = 0;
  result: DeviceCredentials | null = null;

  constructor(private readonly host: EnrollHost, private readonly relayStatic: Uint8Array, private readonly claimId: Uint8Array,
    claimToken: Uint8Array) {
    this.claimPsk = claimPsk(claimToken);
    this.mac1Key = mac1Key(relayStatic, this.claimPsk);
    this.prologue = concatBytes(PROLOGUE_ENROLL_PREFIX, claimId);
  }

  /** Start (or restart) with a fresh ENROLL_INIT. */
  start(): void {
    this.reset();
    this.hs = new HandshakeState({
      pattern: 'XXpsk3', initiator: true, prologue: this.prologue, s: this.host.staticKey, psk: this.claimPsk, onDh: this.host.onDh,
    });
    this.index = this.host.newIndex();
    this.lastInit = encodeEnrollInit(this.index, this.claimId, this.hs.writeMessage(EMPTY));
    this.sendInit();
  }

  private sendInit(): void {
    writeMacs(this.lastInit!, ENROLL_INIT_MAC1, this.mac1Key, this.host.cookie());
    this.host.send(this.lastInit!);
  }

  /** Retry timer fired: resend what is outstanding. Returns false when nothing is. */
  retry(maxFinishAttempts: number): void {
    if (this.result !== null) return;
    if (this.finish !== null && this.finishAttempts < maxFinishAttempts) {
      this.finishAttempts++;
      this.host.send(this.finish);
      return;
    }
    this.start();
  }

  /** A COOKIE_REPLY for our ENROLL_INIT: keep the cookie and resend with mac2 (protocol §5). */
  onCookie(m: CookieReply): boolean {
    if (this.lastInit === null || this.finish !== null || m.receiver !== this.index) return false;
    const mac1 = this.lastInit.subarray(ENROLL_INIT_MAC1, ENROLL_INIT_MAC1 + 16);
    const cookie = openCookie(this.host.cookieReplyKey, m.nonce, mac1, m.encryptedCookie);
    if (cookie === null) return false;
    this.host.storeCookie(cookie);
    this.sendInit();
    return true;
  }

  /**
   * ENROLL_RESP: hash its header, then read "<- e, ee, s, es" on a clone (a
   * forgery, a rewritten index included, must not spoil the attempt), check the
   * pinned key, answer with ENROLL_FINISH. Throws
   * DeviceError('relay-key-mismatch') when the relay's static key is not the pinned one.
   */
  onResp(m: EnrollResp): boolean {
    if (this.hs === null || this.finish !== null || m.receiver !== this.index) return false;
    const trial = this.hs.clone();
    try {
      bindResponseHeader(trial, m.bytes); // message 2's tags then cover the relay's index too (§2)
      trial.readMessage(m.noise);
    } catch {
      return false;
    }
    if (!equalBytes(trial.remoteStatic()!, this.relayStatic)) {
      trial.wipe();
      this.reset();
      throw new DeviceError('relay-key-mismatch', 'enrollment: the relay static key differs from the pinned one');
    }
    this.finish = encodeEnrollFinish(m.sender, trial.writeMessage(this.host.ed25519PublicKey));
    this.psk = devicePsk(trial.chainingKey());
    const { send, recv } = trial.split();
    send.wipe(); // the device never sends on the enrollment session
    this.recv = recv;
    trial.wipe();
    this.hs.wipe();
    this.hs = null;
    this.finishAttempts = 0;
    this.host.send(this.finish);
    return true;
  }

  /** The ENROLLED record (receiver = our index, counter 0). */
  onTransport(m: Transport): boolean {
    if (this.recv === null || this.psk === null || m.receiver !== this.index || m.counter !== 0) return false;
    const p = this.recv.decryptAt(0, EMPTY, m.ciphertext);
    if (p === null) return false;
    const frames = decodeFrames(p);
    const enrolled = frames?.find((f) => f.kind === FRAME_ENROLLED);
    if (enrolled === undefined || enrolled.kind !== FRAME_ENROLLED) return false;
    this.result = { relayStatic: this.relayStatic.slice(), devicePsk: this.psk.slice(), admissionKey: enrolled.admissionKey.slice(), counter: 0n };
    this.reset();
    return true;
  }

  /** Wipe the attempt's secrets. */
  reset(): void {
    this.hs?.wipe();
    this.hs = null;
    this.recv?.wipe();
    this.recv = null;
    this.psk?.fill(0);
    this.psk = null;
    this.finish = null;
    this.lastInit = null;
  }
}
