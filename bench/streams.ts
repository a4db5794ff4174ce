// Pre-sealed record streams for the ingest benches: what each simulated device
// would send, sealed before the clock starts by the TS reference sealer
// (cloud/readings/sealer.ts EpochSealer, default epoch budget as shipped: 64
// readings ± 25 %), to the owner as the one reader. Sealing is the device's
// cost, not the relay's, and it is slow in @noble (an HPKE wrap and two
// Ed25519 signatures per epoch), so doing it inside the timed window would
// measure this process instead of the server. The same bytes are published to
// Mosquitto, so both servers carry exactly the same payloads.

import { randomBytes } from 'node:crypto';
import { EpochSealer } from '../cloud/readings/sealer.ts';
import { KIND_READING } from '../cloud/readings/records.ts';

/** Plaintext bytes of one reading (a few sensor values and a timestamp). */
export const READING_PAYLOAD_BYTES = 32;
const FEED = 1;

export interface DeviceStream {
  /** The device's 32-byte Ed25519 seed (its identity and its sealer key). SECRET outside a bench. */
  seed: Uint8Array;
  /** EPOCH_OPEN / READING / EPOCH_CLOSE records in send order. */
  records: Uint8Array[];
}

/** True for a READING record (the others are epoch records). */
export const isReading = (record: Uint8Array): boolean => record[0] === KIND_READING;

/**
 * One stream per seed: `readings` sealed readings (plus their epoch records, the
 * last epoch closed). Yields to the event loop between devices, so enrollments
 * running meanwhile (waiting on the relay) keep going.
 */
export async function sealStreams(seeds: Uint8Array[], readings: number, owner: string): Promise<DeviceStream[]> {
  const out: DeviceStream[] = [];
  for (const seed of seeds) {
    const sealer = new EpochSealer({ seed, readers: [owner] });
    const records: Uint8Array[] = [];
    for (let i = 0; i < readings; i++) records.push(...sealer.seal(FEED, new Uint8Array(randomBytes(READING_PAYLOAD_BYTES))));
    records.push(sealer.closeEpoch());
    out.push({ seed, records });
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** `records` cut after its `readings`-th READING: [first part, rest]. */
export function splitAfterReadings(records: Uint8Array[], readings: number): [Uint8Array[], Uint8Array[]] {
  let seen = 0;
  for (let i = 0; i < records.length; i++) {
    if (isReading(records[i]) && ++seen === readings) return [records.slice(0, i + 1), records.slice(i + 1)];
  }
  return [records, []];
}
