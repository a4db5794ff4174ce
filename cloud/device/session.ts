// A device-side transport session (protocol §6, §7): keys from Split() (the
// device sends with the first), counters, receive replay state, its jittered
// rekey deadline, and the DATA it sent that the relay has not ACKed yet.

import type { CipherState } from '../noise/cipher-state.ts';
import { encodeTransport } from '../protocol/messages.ts';
import { ReplayWindow } from '../protocol/replay-window.ts';

const EMPTY = new Uint8Array(0);

/** One DATA payload the application gave us; resolved once ACKed (by any session it was sent on). */
export interface OutgoingData {
  readonly data: Uint8Array;
  acked: boolean;
  sentAt: number;
  resolve(): void;
}

export class DeviceSession {
  sendCounter = 0;
  nextRecv = 0;
  readonly window: ReplayWindow | null;
  /** Record counter -> the DATA it carried. */
  readonly unacked = new Map<number, OutgoingData[]>();
  wiped = false;

  constructor(
    /** Our sender index (the relay's `receiver`). */
    readonly localIndex: number,
    /** The relay's sender index (our `receiver`). */
    readonly remoteIndex: number,
    private readonly sendKey: CipherState,
    private readonly recvKey: CipherState,
    readonly createdAt: number,
    /** When this session's rekey is due: REKEY_AFTER_TIME ± REKEY_JITTER drawn from the RNG (§7). */
    readonly rekeyAt: number,
    tcp: boolean,
    windowSize: number,
    readonly rejectAfterMessages: number,
  ) {
    this.window = tcp ? null : new ReplayWindow(windowSize, rejectAfterMessages);
  }

  /** Can this session still send at `now` (REJECT_AFTER_TIME / _MESSAGES, §7)? */
  canSend(now: number, rejectAfterTime: number): boolean {
    return !this.wiped && now - this.createdAt < rejectAfterTime && this.sendCounter < this.rejectAfterMessages;
  }

  /** TRANSPORT carrying `plaintext`; the caller checked canSend(). */
  seal(plaintext: Uint8Array): { counter: number; message: Uint8Array } {
    const counter = this.sendCounter++;
    return { counter, message: encodeTransport(this.remoteIndex, counter, this.sendKey.encryptAt(counter, EMPTY, plaintext)) };
  }

  open(counter: number, ciphertext: Uint8Array): Uint8Array | null {
    return this.wiped ? null : this.recvKey.decryptAt(counter, EMPTY, ciphertext);
  }

  wipe(): void {
    this.sendKey.wipe();
    this.recvKey.wipe();
    this.wiped = true;
  }
}
