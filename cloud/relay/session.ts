// One transport session (protocol §6, §7): the Split() key pair, counters, the
// receive replay state (UDP window or TCP strict order) and its age.

import type { CipherState } from '../noise/cipher-state.ts';
import { encodeTransport } from '../protocol/messages.ts';
import { ReplayWindow } from '../protocol/replay-window.ts';
import type { Endpoint } from './endpoint.ts';

const EMPTY = new Uint8Array(0);

export class Session {
  readonly kind = 'session' as const;
  /** Next counter to send. */
  sendCounter = 0;
  /** TCP: the next counter expected. */
  nextRecv = 0;
  /** UDP: the replay window; null on TCP (strict order). */
  readonly window: ReplayWindow | null;
  /** True once the device proved it has the keys (first TRANSPORT under them, §4). */
  confirmed = false;
  /** A REKEY frame has been sent on this session. */
  rekeySent = false;
  wiped = false;
  /** ACK counters waiting for the next flush. */
  pendingAcks: number[] = [];

  constructor(
    /** Our index: the device puts it in `receiver`. */
    readonly index: number,
    /** The device's sender index: we put it in `receiver`. */
    readonly peerIndex: number,
    readonly did: string,
    private readonly sendKey: CipherState,
    private readonly recvKey: CipherState,
    readonly createdAt: number,
    public endpoint: Endpoint,
    windowSize: number,
    readonly rejectAfterMessages: number,
  ) {
    this.window = endpoint.kind === 'udp' ? new ReplayWindow(windowSize, rejectAfterMessages) : null;
  }

  /** TRANSPORT carrying `plaintext`, or null when the send counter is exhausted (§7 REJECT_AFTER_MESSAGES). */
  seal(plaintext: Uint8Array): Uint8Array | null {
    if (this.wiped || this.sendCounter >= this.rejectAfterMessages) return null;
    const n = this.sendCounter++;
    return encodeTransport(this.peerIndex, n, this.sendKey.encryptAt(n, EMPTY, plaintext));
  }

  /** Plaintext of a record (authentication only; replay is the caller's business), or null. */
  open(counter: number, ciphertext: Uint8Array): Uint8Array | null {
    if (this.wiped) return null;
    return this.recvKey.decryptAt(counter, EMPTY, ciphertext);
  }

  /** Zero the keys (§7: wiped when replaced or expired). */
  wipe(): void {
    this.sendKey.wipe();
    this.recvKey.wipe();
    this.window?.reset();
    this.wiped = true;
    this.endpoint.sessions?.delete(this);
  }
}
