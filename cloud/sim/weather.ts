// Plausible indoor climate for simulated sensors: temperature (°C) and relative
// humidity (%) as slow random walks around a per-sensor base, so a demo shows
// values that look like a room and differ between sensors. Not crypto: the
// values are public test data; Math.random is fine.

/** Feed ids the demo sensors use. Names live with the owner (docs/readings.md), not on the wire. */
export const FEEDS = {
  1: { name: 'temperature', unit: '°C', key: 'temp_c', decimals: 2 },
  2: { name: 'humidity', unit: '%', key: 'rh_pct', decimals: 1 },
} as const;
export type FeedId = keyof typeof FEEDS;

/** The payload a demo sensor seals: compact JSON, e.g. {"temp_c":21.4,"at":1712345678901}. */
export interface ClimatePayload { temp_c?: number; rh_pct?: number; at: number }

export class Climate {
  private temp: number;
  private rh: number;
  constructor(index: number, private readonly random: () => number = Math.random) {
    this.temp = 19.5 + 1.5 * (index % 4) + random();
    this.rh = 38 + 6 * (index % 3) + 2 * random();
  }

  /** The next sample of `feed` as payload bytes (wall-clock time `at`, ms, for the end-to-end latency). */
  sample(feed: FeedId, at: number = Date.now()): Uint8Array {
    const step = (v: number, lo: number, hi: number, size: number) => Math.min(hi, Math.max(lo, v + (this.random() - 0.5) * size));
    let p: ClimatePayload;
    if (feed === 1) {
      this.temp = step(this.temp, 15, 30, 0.2);
      p = { temp_c: Math.round(this.temp * 100) / 100, at };
    } else {
      this.rh = step(this.rh, 20, 80, 0.6);
      p = { rh_pct: Math.round(this.rh * 10) / 10, at };
    }
    return new TextEncoder().encode(JSON.stringify(p));
  }
}

/** Parses a demo payload; null for anything else (the owner may follow other devices too). */
export function parseClimate(payload: Uint8Array): ClimatePayload | null {
  try {
    const j = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as ClimatePayload;
    if (typeof j !== 'object' || j === null || typeof j.at !== 'number') return null;
    return j;
  } catch {
    return null;
  }
}
