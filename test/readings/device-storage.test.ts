// fw_reading against the board's storage, offline (no relay: the records stay
// in the device's DATA queue, read back from storage and verified there):
// - a power cut after every single storage write of a reading (first epoch,
//   plain reading, rotation) leaves a device that, booted again, continues
//   the stream so that the owner verifies it with no issue but the open
//   newest epoch, and no (epoch, seq) is ever sealed twice;
// - a storage write that fails: an error, no key reused, the stream intact;
// - HAL_ENOSPC changes nothing; bad feed / length / offset are refused.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { verifyDeviceStream, decodeRecord, KIND_READING } from '../../cloud/readings/index.ts';
import { SEALING, put, take, status, type Exports } from '../device/support.ts';
import { SimHal, type SimOptions } from '../../hal/node/sim.ts';
import { loadCore } from '../../hal/node/core.ts';
import { rng } from '../support/rng.ts';

const test = suite('readings: fw_reading and the device storage');
const HAL_OK = 0, HAL_EINVAL = -1, HAL_ENOSPC = -3, HAL_EIO = -4;
const QUEUE_MAX_ITEMS = 4096;
const PAYLOAD_MAX = 1362;
const HOUR = 3_600_000;

const hexKey = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** Storage that logs every write and can refuse them (FaultySim then answers HAL_EIO). */
class Storage extends Map<string, Uint8Array> {
  log: [string, Uint8Array | null][] | null = null;
  failing: ((key: string) => boolean) | null = null;
  override set(k: string, v: Uint8Array): this {
    this.log?.push([k, v.slice()]);
    return super.set(k, v);
  }
  override delete(k: string): boolean {
    this.log?.push([k, null]);
    return super.delete(k);
  }
  copy(): Storage {
    const s = new Storage();
    for (const [k, v] of this) s.set(k, v.slice());
    return s;
  }
}

/**
 * An enrolled configuration written straight into storage (conf.ts CONF
 * layout, 196 bytes): the device boots ENROLLED without ever reaching a relay,
 * so everything it seals stays in its queue.
 */
function enrolledStorage(owner: Identity, label: string): Storage {
  const r = rng(`readings-storage:conf:${label}`);
  const conf = new Uint8Array(196);
  conf.set(identityFromSeed(r.bytes(32)).x25519PublicKey, 0); // pinned relay key
  conf.set(r.bytes(64), 32); // device_psk, admission key
  const host = new TextEncoder().encode('127.0.0.1');
  conf[96] = 0; conf[97] = host.length; conf[98] = 1; conf[99] = 0;
  conf.set(host, 100);
  conf.set(owner.x25519PublicKey, 164);
  const s = new Storage();
  s.set(hexKey('sl.enr'), conf);
  return s;
}

/** The simulated board, with a flash that fails a write when the storage says so. */
class FaultySim extends SimHal {
  constructor(readonly storage: Storage, options: SimOptions) { super({ ...options, storage }); }
  override hal_storage_put(key: Uint8Array, value: Uint8Array): number {
    if (this.storage.failing?.(Buffer.from(key).toString('hex'))) return HAL_EIO;
    return super.hal_storage_put(key, value);
  }
}

interface Dev { x: Exports; hal: SimHal; clock: { t: number } }

async function boot(storage: Storage, label: string, clock = { t: 0 }): Promise<Dev> {
  const r = rng(`readings-storage:${label}`);
  const hal = new FaultySim(storage, {
    clock: { now: () => clock.t }, random: (out) => out.set(r.bytes(out.length)), network: false, log: () => {},
  });
  const core = await loadCore({ hal });
  const x = core.exports as unknown as Exports;
  assert.is(x.fw_init(), HAL_OK, `fw_init (${label})`);
  return { x, hal, clock };
}

function reading(d: Dev, feed: number, payload: Uint8Array): number {
  put(d.x, 0, payload);
  return d.x.fw_reading(feed, 0, payload.length);
}

function payloadOf(i: number): Uint8Array {
  return new TextEncoder().encode(`reading ${i}`);
}

/** The queued DATA bodies, oldest first (queue.ts: sl.qi = head, tail; sl.qXXXXXXXX items). */
function queued(storage: Map<string, Uint8Array>): Uint8Array[] {
  const qi = storage.get(hexKey('sl.qi'));
  if (!qi) return [];
  const v = new DataView(qi.buffer, qi.byteOffset, 8);
  const out: Uint8Array[] = [];
  for (let i = v.getUint32(0, true); i !== v.getUint32(4, true); i = (i + 1) >>> 0) {
    const item = storage.get(hexKey(`sl.q${i.toString(16).padStart(8, '0')}`));
    assert.ok(item, `queue item ${i} missing`);
    out.push(item);
  }
  return out;
}

function publicKey(x: Exports): Uint8Array {
  x.fw_public_key(0);
  return take(x, 0, 32);
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x));

/** Verifies the queued stream: every expected payload, in order, and nothing wrong but the open newest epoch. */
function verifyQueue(storage: Map<string, Uint8Array>, pub: Uint8Array, owner: Identity, payloads: Uint8Array[], what: string): void {
  const records = queued(storage);
  const v = verifyDeviceStream(pub, records, owner.x25519Secret);
  assert.equal(v.issues.map((i) => i.kind), ['open'], `${what}: ${show(v.issues)}`);
  assert.equal(v.readings.map((r) => r.payload), payloads, `${what}: payloads`);
  // No (epoch, seq) sealed twice, seq 1.. consecutive.
  const seqs = records.map((b) => decodeRecord(b)).filter((r) => r.kind === KIND_READING).map((r) => (r as { seq: bigint }).seq);
  assert.equal(seqs, payloads.map((_, i) => BigInt(i + 1)), `${what}: READING seqs`);
}

test('a power cut after any storage write of fw_reading: the rebooted device continues a stream that verifies', async () => {
  const owner = identityFromSeed(rng('readings-storage:owner').bytes(32));
  const storage = enrolledStorage(owner, 'cut');
  const base = await boot(storage, 'cut-base');
  const pub = publicKey(base.x);
  // Calls 0 (first EPOCH_OPEN + READING), 1 (a READING), 2 (time budget spent: CLOSE + OPEN + READING).
  const plan = [{ at: 0 }, { at: 1000 }, { at: 1000 + 2 * HOUR }];
  let cases = 0;
  for (let c = 0; c < plan.length; c++) {
    base.clock.t = plan[c].at;
    const before = storage.copy();
    storage.log = [];
    assert.is(reading(base, 1, payloadOf(c)), HAL_OK);
    const writes = storage.log;
    storage.log = null;
    assert.ok(writes.length >= 3, `call ${c}: ${writes.length} writes`);
    for (let p = 0; p <= writes.length; p++) {
      // The storage as a power cut after the p-th write leaves it.
      const cut = before.copy();
      for (const [k, v] of writes.slice(0, p)) if (v === null) cut.delete(k); else cut.set(k, v);
      const d = await boot(cut, `cut-${c}-${p}`, { t: 0 });
      const s = status(d.x);
      // Whether call c's READING counts: its queue index was written.
      const keptReading = queued(cut).some((b) => b[0] === 2 && new DataView(b.buffer, b.byteOffset).getBigUint64(5, true) === BigInt(c + 1));
      const payloads = [...Array(c + (keptReading ? 1 : 0)).keys()].map(payloadOf);
      assert.is(s.nextSeq, BigInt(payloads.length + 1), `cut ${c}/${p}: next seq`);
      assert.is(s.sealerFlags & SEALING.KEYED, 0, `cut ${c}/${p}: no epoch key after a reboot`);
      for (let i = 0; i < 3; i++) {
        const pl = payloadOf(100 + i);
        assert.is(reading(d, 2, pl), HAL_OK, `cut ${c}/${p}: reading after reboot`);
        payloads.push(pl);
      }
      verifyQueue(cut, pub, owner, payloads, `cut after write ${p} of call ${c}`);
      d.hal.close();
      cases++;
    }
  }
  assert.ok(cases >= 12, `${cases} power cuts`);
  verifyQueue(storage, pub, owner, [0, 1, 2].map(payloadOf), 'no power cut');
  base.hal.close();
});

test('a failed storage write: an error, the epoch key dropped, nothing reused, the stream intact', async () => {
  const owner = identityFromSeed(rng('readings-storage:owner-2').bytes(32));
  const storage = enrolledStorage(owner, 'fail');
  const pub0 = await boot(storage, 'fail-base');
  const pub = publicKey(pub0.x);
  const payloads: Uint8Array[] = [];
  let n = 0;
  const ok = (d: Dev) => { const p = payloadOf(n++); assert.is(reading(d, 1, p), HAL_OK); payloads.push(p); };
  ok(pub0); ok(pub0);
  // Fail each write of a rotation in turn (CLOSE item/index, sl.rd, OPEN ..., READING ...).
  let unsavedSeen = 0;
  for (let k = 0; k < 9; k++) {
    pub0.clock.t += 2 * HOUR; // the time budget is spent: this call rotates
    let w = 0;
    storage.failing = () => w++ === k;
    const p = payloadOf(n++);
    const st = reading(pub0, 1, p);
    storage.failing = null;
    const s = status(pub0.x);
    if (st === HAL_OK) {
      // Only a save of the sealer state failed: the reading is queued; the
      // state is saved by the next write (or marked unsaved until then).
      payloads.push(p);
      if ((s.sealerFlags & SEALING.UNSAVED) !== 0) unsavedSeen++;
    } else {
      assert.is(st, HAL_EIO, `write ${k}`);
      assert.is(s.sealerFlags & SEALING.KEYED, 0, `write ${k}: no key kept after a failure`);
    }
    ok(pub0);
    assert.is(status(pub0.x).sealerFlags & SEALING.UNSAVED, 0, `write ${k}: saved again`);
  }
  assert.is(unsavedSeen, 1, 'the last save failed once: flagged unsaved');
  verifyQueue(storage, pub, owner, payloads, 'after failed writes');
  // And a reboot now changes nothing of that.
  pub0.hal.close();
  const again = await boot(storage, 'fail-reboot');
  ok(again);
  verifyQueue(storage, pub, owner, payloads, 'after failed writes and a reboot');
  again.hal.close();
});

test('HAL_ENOSPC changes nothing; bad feed, length and offset are refused', async () => {
  const owner = identityFromSeed(rng('readings-storage:owner-3').bytes(32));
  // Not enrolled: no owner to seal to.
  const bare = await boot(new Storage(), 'bare');
  assert.is(reading(bare, 1, payloadOf(0)), HAL_EINVAL);
  bare.hal.close();

  const storage = enrolledStorage(owner, 'full');
  const d = await boot(storage, 'full');
  const pub = publicKey(d.x);
  assert.is(reading(d, 0x10000, payloadOf(0)), HAL_EINVAL, 'feed above 0xffff');
  assert.is(reading(d, 1, new Uint8Array(PAYLOAD_MAX + 1)), HAL_EINVAL, 'payload too large for one DATA frame');
  assert.is(d.x.fw_reading(1, d.x.fw_io_bytes() - 4, 8), HAL_EINVAL, 'outside the exchange buffer');
  assert.is(status(d.x).nextSeq, 1n, 'nothing sealed');
  assert.is(queued(storage).length, 0, 'nothing queued');
  const big = rng('readings-storage:big').bytes(PAYLOAD_MAX);
  assert.is(reading(d, 0xffff, big), HAL_OK, 'the largest payload, the largest feed');
  assert.is(queued(storage).at(-1)!.length, 1393, 'exactly one full DATA body');

  // Fill the queue to one free item: a reading that needs EPOCH_CLOSE,
  // EPOCH_OPEN and READING does not fit, and nothing at all changes.
  const filler = new Uint8Array([0x66]);
  put(d.x, 0, filler);
  while (status(d.x).queued < QUEUE_MAX_ITEMS - 1) assert.is(d.x.fw_send(0, 1), HAL_OK);
  d.clock.t += 2 * HOUR;
  const snapshot = storage.copy();
  const s0 = status(d.x);
  assert.is(reading(d, 1, payloadOf(1)), HAL_ENOSPC, 'three records, one slot');
  assert.equal([...storage.entries()], [...snapshot.entries()], 'storage unchanged');
  const s1 = status(d.x);
  assert.equal({ ...s1, error: 0 }, { ...s0, error: 0 }, 'state unchanged');
  // One more fw_send: full; then no reading fits at all.
  assert.is(d.x.fw_send(0, 1), HAL_OK);
  assert.is(reading(d, 1, payloadOf(1)), HAL_ENOSPC);
  assert.equal([...storage.entries()].length, snapshot.size + 1);
  const records = queued(storage).filter((b) => b.length !== 1);
  const v = verifyDeviceStream(pub, records, owner.x25519Secret);
  assert.equal(v.issues.map((i) => i.kind), ['open']);
  assert.equal(v.readings.map((r) => [r.feed, r.payload.length]), [[0xffff, PAYLOAD_MAX]]);
  d.hal.close();
});

test.run();
