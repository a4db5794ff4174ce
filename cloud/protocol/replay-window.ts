// Sliding anti-replay window (RFC 6479 "IPsec Anti-Replay Algorithm without Bit
// Shifting"), as wireguard-go's replay filter; protocol §6.
//
// Contract:
// - counters are integers in [0, limit); `limit` is REJECT_AFTER_MESSAGES by default;
// - accept(c) returns true exactly once per c, for any c > highest - windowSize
//   (the `windowSize` most recent counters, highest included), whatever the order;
// - a counter at or below highest - windowSize is too old and refused;
// - only accept() changes state, and only when it returns true: call it after the
//   record authenticated (check() is the side-effect-free pre-test).
//
// The bitmap is a ring of 32-bit words, (windowSize / 32) + 1 of them: the spare
// word is the block being filled, so the full windowSize stays covered (RFC 6479 §2).

import { REJECT_AFTER_MESSAGES } from './constants.ts';

const BITS = 32;

export class ReplayWindow {
  private readonly ring: Uint32Array;
  private readonly words: number;
  private highest = -1;

  /**
   * @param windowSize counters kept (a positive multiple of 32: REPLAY_WINDOW_RELAY = 4096, REPLAY_WINDOW_DEVICE = 128)
   * @param limit first counter refused outright
   */
  constructor(readonly windowSize: number, readonly limit: number = REJECT_AFTER_MESSAGES) {
    if (!Number.isInteger(windowSize) || windowSize <= 0 || windowSize % BITS !== 0) {
      throw new RangeError(`ReplayWindow: size must be a positive multiple of ${BITS}`);
    }
    this.words = windowSize / BITS + 1;
    this.ring = new Uint32Array(this.words);
  }

  /** Highest counter accepted so far (-1 before the first). */
  get highestAccepted(): number {
    return this.highest;
  }

  /** Would `counter` be accepted? No state change. */
  check(counter: number): boolean {
    if (!Number.isInteger(counter) || counter < 0 || counter >= this.limit) return false;
    if (counter > this.highest) return true;
    if (counter <= this.highest - this.windowSize) return false; // too old
    const block = Math.floor(counter / BITS) % this.words;
    return (this.ring[block] & (1 << (counter % BITS))) === 0;
  }

  /** Accept `counter` (after authentication): true when fresh, false when replayed or out of window. */
  accept(counter: number): boolean {
    if (!this.check(counter)) return false;
    const block = Math.floor(counter / BITS);
    if (counter > this.highest) {
      // Clear the words between the old top block and the new one (at most the whole ring).
      const top = this.highest < 0 ? -1 : Math.floor(this.highest / BITS);
      const steps = Math.min(block - top, this.words);
      for (let i = 1; i <= steps; i++) this.ring[(top + i) % this.words] = 0;
      this.highest = counter;
    }
    this.ring[block % this.words] |= 1 << (counter % BITS);
    return true;
  }

  /** Forget everything (a new key starts a new window). */
  reset(): void {
    this.ring.fill(0);
    this.highest = -1;
  }
}
