// Seeded randomness for the cross-checks. One seed per run, printed once as
// `seed=...`; replay a run with SEALINK_SEED=<that value>. Each test draws from
// its own stream derived from (seed, label), so a test replays identically
// whatever other tests ran before it or were filtered out.

import { createHash, randomBytes } from 'node:crypto';

function initialSeed(): string {
  const env = process.env.SEALINK_SEED;
  if (env !== undefined && env !== '') {
    if (!/^[0-9a-fA-F]{1,64}$/.test(env)) throw new Error(`SEALINK_SEED must be 1..64 hex digits, got ${JSON.stringify(env)}`);
    return env.toLowerCase();
  }
  return randomBytes(8).toString('hex');
}

/** The run's seed (hex). */
export const SEED: string = initialSeed();

// Modules are cached, so this prints once per process however many suites import it.
console.log(`seed=${SEED} (replay: SEALINK_SEED=${SEED})`);

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, as in PractRand): 128-bit state, 32-bit outputs. */
export class Prng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(state: Uint8Array) {
    const v = new DataView(state.buffer, state.byteOffset, 16);
    this.a = v.getUint32(0, true); this.b = v.getUint32(4, true);
    this.c = v.getUint32(8, true); this.d = v.getUint32(12, true) | 1;
    for (let i = 0; i < 15; i++) this.u32(); // mix the state, as sfc32's reference seeding does
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32. */
  int(n: number): number {
    if (!(n > 0 && n <= 2 ** 32)) throw new RangeError(`int: bad bound ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n); // rejection sampling: no modulo bias
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let x = this.u32();
      for (let j = i; j < Math.min(i + 4, n); j++) { out[j] = x & 0xff; x >>>= 8; }
    }
    return out;
  }
}

/** The stream for `label` under `seed`. */
export function rngFor(seed: string, label: string): Prng {
  return new Prng(createHash('sha256').update(`sealink-test:${seed}:${label}`).digest());
}

/** An independent stream for `label` under the run's seed. */
export function rng(label: string): Prng {
  return rngFor(SEED, label);
}
