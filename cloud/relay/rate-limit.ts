// Load detection and per-source token buckets (protocol §5; wireguard-go's
// ratelimiter). Time comes from the injected clock.

import type { Clock } from '../util/clock.ts';

interface Bucket { tokens: number; at: number }

/** Token buckets keyed by source address: `rate` tokens/s, at most `burst`. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock, readonly rate: number, readonly burst: number, private readonly maxEntries = 65536) {}

  private refill(key: string): Bucket {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxEntries) this.sweep();
      if (this.buckets.size >= this.maxEntries) this.buckets.clear(); // a spoofing storm: forget, never grow without bound
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else if (now > b.at) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.rate) / 1000);
      b.at = now;
    }
    return b;
  }

  /** Take one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const b = this.refill(key);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Drop buckets that have refilled completely (they equal a fresh one). */
  sweep(): void {
    const now = this.clock.now();
    const full = (this.burst * 1000) / this.rate;
    for (const [k, b] of this.buckets) if (now - b.at >= full) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Events per second over the last second (two one-second bins, linearly weighted). */
export class RateMeter {
  private bin = 0;
  private current = 0;
  private previous = 0;

  constructor(private readonly clock: Clock) {}

  private roll(): number {
    const now = this.clock.now();
    const bin = Math.floor(now / 1000);
    if (bin !== this.bin) {
      this.previous = bin === this.bin + 1 ? this.current : 0;
      this.current = 0;
      this.bin = bin;
    }
    return now;
  }

  hit(): void {
    this.roll();
    this.current++;
  }

  rate(): number {
    const now = this.roll();
    const into = (now % 1000) / 1000;
    return this.current + this.previous * (1 - into);
  }
}
