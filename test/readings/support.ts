// Shared fixtures of the sealed-readings suites: seeded identities, a sealer
// with a recording RNG, and a helper that seals a few epochs.

import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { EpochSealer, type EpochSealerOptions } from '../../cloud/readings/index.ts';
import { rng, type Prng } from '../support/rng.ts';

export interface Fixture {
  r: Prng;
  device: Identity;
  owner: Identity;
  reader2: Identity;
  stranger: Identity;
  /** Every rng() call of the sealer, in order. */
  draws: Uint8Array[];
  sealer: EpochSealer;
}

export function fixture(label: string, options: Partial<EpochSealerOptions> = {}): Fixture {
  const r = rng(label);
  const device = identityFromSeed(r.bytes(32));
  const owner = identityFromSeed(r.bytes(32));
  const reader2 = identityFromSeed(r.bytes(32));
  const stranger = identityFromSeed(r.bytes(32));
  const draws: Uint8Array[] = [];
  const sealer = new EpochSealer({
    seed: device.seed,
    readers: [owner.x25519PublicKey],
    rng: (n) => { const b = r.bytes(n); draws.push(b.slice()); return b; },
    now: () => 0,
    ...options,
  });
  return { r, device, owner, reader2, stranger, draws, sealer };
}

/** Seals `epochs` closed epochs of `perEpoch` readings (payload = "e<E>s<seq>"), plus an open one if asked. */
export function sealEpochs(f: Fixture, epochs: number, perEpoch: number, openTail = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  const enc = new TextEncoder();
  let seq = 1;
  for (let e = 0; e < epochs + (openTail ? 1 : 0); e++) {
    out.push(f.sealer.openEpoch());
    const n = e < epochs ? perEpoch : openTail;
    for (let i = 0; i < n; i++, seq++) out.push(f.sealer.sealReading(i % 3, enc.encode(`e${e + 1}s${seq}`)));
    if (e < epochs) out.push(f.sealer.closeEpoch());
  }
  return out;
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
