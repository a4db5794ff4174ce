// Sealed readings made by the device itself: the release core
// (build/sealink-core.wasm) on the simulated board enrolls with a claim bundle
// that names its owner, seals readings with fw_reading on two feeds over more
// than two epochs (reading and time budgets), reboots mid-epoch, and streams
// every record to the TypeScript relay over UDP on 127.0.0.1. The owner then
// opens and verifies the whole stream with cloud/readings (verify.ts), and the
// TypeScript reference sealer, fed the very randomness and clock the core
// used, writes byte-identical records (same layout, same rotation rules, same
// RNG draw order).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { EpochSealer, verifyDeviceStream, decodeRecord, KIND_EPOCH_OPEN, KIND_EPOCH_CLOSE } from '../../cloud/readings/index.ts';
import {
  ManualClock, STATE, SEALING, claimBundle, loadReleaseCore, put, take, runUntil, startTestRelay, status,
  type Exports, type TestRelay,
} from '../device/support.ts';
import type { SimHal } from '../../hal/node/sim.ts';
import { rng } from '../support/rng.ts';
import { toHex } from '../support/hex.ts';

const test = suite('readings: the device seals to its owner (fw_reading)');
const HAL_OK = 0, HAL_EINVAL = -1;

/** Randomness the core drew inside fw_reading (what the sealer consumed), in order. */
interface Draws { during: boolean; bytes: number[] }

interface Booted { x: Exports; hal: SimHal; boot: number }

async function boot(clock: ManualClock, label: string, storage: Map<string, Uint8Array>, draws: Draws): Promise<Booted> {
  const r = rng(`readings-device:${label}`);
  const at = clock.now();
  const { x, hal } = await loadReleaseCore({
    clock: { now: () => clock.now() - at },
    random: (out) => {
      const b = r.bytes(out.length);
      out.set(b);
      if (draws.during) draws.bytes.push(...b);
    },
    storage, network: true, log: () => {},
  });
  assert.is(x.fw_init(), HAL_OK);
  return { x, hal, boot: at };
}

function drained(x: Exports): boolean {
  const s = status(x);
  return s.state === STATE.ESTABLISHED && s.queued === 0;
}

test('enrolled with its owner in the bundle, the core seals 3+ epochs on 2 feeds across a reboot; the owner verifies all', async () => {
  const clock = new ManualClock();
  const relay: TestRelay = await startTestRelay(clock, 'readings-device');
  const owner = identityFromSeed(rng('readings-device:owner').bytes(32));
  const storage = new Map<string, Uint8Array>();
  const draws: Draws = { during: false, bytes: [] };
  let dev = await boot(clock, 'first', storage, draws);
  const devices = () => [{ x: dev.x, hal: dev.hal, storage, status: () => status(dev.x), send() {}, reading() { return 0; }, close() {} }];
  try {
    // No owner key yet: nothing to seal to.
    put(dev.x, 0, Uint8Array.of(1));
    assert.is(dev.x.fw_reading(1, 0, 1), HAL_EINVAL, 'not enrolled');
    const s0 = status(dev.x);
    assert.is(s0.epoch, 0);
    assert.is(s0.nextSeq, 1n);

    const { claimId, claimToken } = relay.claim();
    const bundle = claimBundle(relay.identity.ed25519PublicKey, 'udp', relay.server.udpPort, claimId, claimToken, '127.0.0.1', owner.ed25519PublicKey);
    put(dev.x, 0, bundle);
    assert.is(dev.x.fw_enroll(0, bundle.length), HAL_OK);
    await runUntil(clock, devices(), () => status(dev.x).state === STATE.ESTABLISHED, { what: 'enrollment' });
    put(dev.x, 0, new Uint8Array(32));
    dev.x.fw_public_key(0);
    const pub = take(dev.x, 0, 32);

    const expected: { feed: number; payload: Uint8Array }[] = [];
    const calls: { feed: number; payload: Uint8Array; now: number; reboot: boolean }[] = [];
    let rebooted = false;
    const N = 170; // > 2 x the largest reading budget (80): at least three epochs
    for (let i = 0; i < N; i++) {
      const feed = i % 2 === 0 ? 1 : 2;
      const payload = feed === 1 ? new TextEncoder().encode(`{"t":${20 + (i % 7)}.${i % 10},"i":${i}}`) : rng(`payload:${i}`).bytes(i % 50);
      if (i === 120) {
        // A long quiet spell: the epoch's time budget (1 h ± 10 min) runs out.
        clock.advance(71 * 60 * 1000);
      }
      if (i === 100) {
        // Reboot mid-epoch, with records still unacknowledged: a new core
        // instance on the same storage (and a fresh RNG, as a real TRNG).
        const before = status(dev.x);
        assert.ok((before.sealerFlags & SEALING.OPEN) !== 0 && before.epochReadings > 0, 'mid-epoch');
        dev.hal.close();
        dev = await boot(clock, 'after-reboot', storage, draws);
        const after = status(dev.x);
        assert.is(after.epoch, before.epoch, 'the epoch survives the reboot (to be closed)');
        assert.is(after.nextSeq, before.nextSeq, 'seq continues');
        assert.is(after.sealerFlags, SEALING.OPEN, 'open, without its key');
        rebooted = true;
      }
      draws.during = true;
      put(dev.x, 0, payload);
      const st = dev.x.fw_reading(feed, 0, payload.length);
      draws.during = false;
      assert.is(st, HAL_OK, `fw_reading ${i}`);
      calls.push({ feed, payload, now: clock.now() - dev.boot, reboot: rebooted });
      rebooted = false;
      expected.push({ feed, payload });
      if (i % 8 === 7) await runUntil(clock, devices(), () => drained(dev.x), { stepMs: 20, what: `records up to ${i} acknowledged` });
    }
    await runUntil(clock, devices(), () => drained(dev.x), { stepMs: 20, what: 'every record acknowledged' });
    const last = status(dev.x);
    assert.is(last.nextSeq, BigInt(N + 1));
    assert.is(last.sealerFlags, SEALING.OPEN | SEALING.KEYED);

    // The owner opens and verifies everything the relay received.
    const v = verifyDeviceStream(pub, relay.records, owner.x25519Secret);
    assert.equal(v.issues.map((i) => i.kind), ['open'], JSON.stringify(v.issues, (_k, x) => (typeof x === 'bigint' ? `${x}` : x)));
    assert.is(v.readings.length, N);
    v.readings.forEach((r, i) => {
      assert.is(r.seq, BigInt(i + 1));
      assert.is(r.feed, expected[i].feed);
      assert.equal(r.payload, expected[i].payload, `reading ${i + 1}`);
    });
    const epochs = new Set(v.readings.map((r) => r.epoch));
    // The reboot (before reading 101) and the spent time budget (before 121) each ended an epoch.
    assert.is(v.readings[100].epoch, v.readings[99].epoch + 1, 'a new epoch after the reboot');
    assert.is(v.readings[120].epoch, v.readings[119].epoch + 1, 'a new epoch after the time budget');
    assert.ok(epochs.size >= 4, `epochs: ${[...epochs]}`); // 170 readings (>= 3 budgets) plus the reboot and the time budget
    // A stranger's key opens nothing.
    const stranger = identityFromSeed(rng('readings-device:stranger').bytes(32));
    const s = verifyDeviceStream(pub, relay.records, stranger.x25519Secret);
    assert.is(s.readings.length, 0);
    assert.ok(s.issues.every((i) => i.kind === 'no-access' || i.kind === 'open'));

    // Records at the relay: each epoch opened once and closed once (no
    // duplicate EPOCH_OPEN after the reboot), the closes linking into the opens.
    const unique = new Map(relay.records.map((r) => [toHex(r), r]));
    const decoded = [...unique.values()].map((r) => decodeRecord(r));
    const opens = decoded.filter((r) => r.kind === KIND_EPOCH_OPEN).map((r) => r.epoch).sort((a, b) => a - b);
    const closes = decoded.filter((r) => r.kind === KIND_EPOCH_CLOSE).map((r) => r.epoch).sort((a, b) => a - b);
    assert.equal(opens, [...epochs].sort((a, b) => a - b));
    assert.equal(closes, opens.slice(0, -1));
    assert.is(unique.size, N + opens.length + closes.length);

    // The TypeScript reference sealer with the device's seed (from its
    // storage), the randomness the core drew inside fw_reading and the core's
    // clock writes the very same records. A reboot is, for it, closeEpoch()
    // before the next seal (the core closes the keyless epoch it restored).
    const seed = storage.get(Buffer.from('sl.id').toString('hex'))!;
    let drawn = 0;
    let now = 0;
    const ref = new EpochSealer({
      seed, readers: [owner.x25519PublicKey], now: () => now,
      rng: (n) => { const b = Uint8Array.from(draws.bytes.slice(drawn, drawn + n)); drawn += n; return b; },
    });
    const refRecords: Uint8Array[] = [];
    for (const c of calls) {
      now = c.now;
      if (c.reboot) refRecords.push(ref.closeEpoch());
      refRecords.push(...ref.seal(c.feed, c.payload));
    }
    assert.is(drawn, draws.bytes.length, 'the core drew exactly what the reference sealer draws');
    assert.is(refRecords.length, unique.size);
    for (const r of refRecords) assert.ok(unique.has(toHex(r)), `reference record ${toHex(r.subarray(0, 13))} not at the relay`);
  } finally {
    dev.hal.close();
    await relay.server.close();
  }
});

test.run();
