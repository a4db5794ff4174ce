// Sealed readings v1 on the sensor core (firmware/readings/sealer.ts) through
// the TEST-ONLY entry points of firmware/testing/readings-exports.ts, compiled
// here next to firmware/index.ts with the release options, in memory.
//
// Bit-exact interop: given the same randomness (K_E and the HPKE ephemeral
// secrets), the core and the TS reference sealer write identical records, and
// the TS verifier opens the core's stream. Then the core's refusals, wiping
// and static-memory budget.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';
import { verifyDeviceStream, READING_HEADER_BYTES } from '../../cloud/readings/index.ts';
import { toHex } from '../support/hex.ts';
import { fixture } from './support.ts';

const test = suite('readings: core sealer');
const STATUS = { OK: 0, AUTH: -1, RANGE: -2, INVALID: -3 } as const;

interface ReadingsExports {
  memory: WebAssembly.Memory;
  fw_io_ptr(): number;
  readings_test_begin(out: number, seed: number, readers: number, n: number, epoch: number, firstSeq: bigint, prev: number, rnd: number): number;
  readings_test_seal(out: number, feed: number, payload: number, len: number): number;
  readings_test_close(out: number, seed: number): number;
  readings_test_chain(out: number): void;
  readings_test_next_seq(): bigint;
  readings_test_is_open(): number;
  readings_test_wipe(): void;
  readings_test_sizes(which: number): number;
}

async function compile(): Promise<Uint8Array> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let wasm: Uint8Array | undefined;
  const { error, stderr } = await asc.main([
    'firmware/index.ts', 'firmware/testing/readings-exports.ts',
    '--config', 'asconfig.json', '--target', 'release', '--baseDir', root,
    '--outFile', 'readings-test.wasm', '--textFile', 'readings-test.wat',
  ], {
    writeFile(name, contents) {
      if (name.endsWith('readings-test.wasm')) wasm = contents as Uint8Array;
    },
  });
  if (error) throw new Error(`asc (readings test module): ${error.message}\n${stderr.toString()}`);
  if (!wasm) throw new Error('asc produced no readings test module');
  return wasm;
}

let cached: Promise<ReadingsExports> | undefined;
function core(): Promise<ReadingsExports> {
  cached ??= (async () => {
    const module = new WebAssembly.Module(await compile() as BufferSource);
    // The sealer calls no HAL function; whatever the rest of the core imports gets a refusing stub.
    const hal: Record<string, () => number> = {};
    for (const i of WebAssembly.Module.imports(module)) if (i.kind === 'function') hal[i.name] = () => -1;
    const instance = new WebAssembly.Instance(module, { hal });
    return instance.exports as unknown as ReadingsExports;
  })();
  return cached;
}

// Exchange-buffer layout (offsets).
const SEED = 0, PREV = 32, READERS = 64, RND = 512, PAYLOAD = 1024, OUT = 2048;

class CoreSealer {
  constructor(readonly x: ReadingsExports) {}
  get io() { return this.x.fw_io_ptr(); }
  mem() { return new Uint8Array(this.x.memory.buffer); }
  put(off: number, b: Uint8Array) { this.mem().set(b, this.io + off); }
  take(off: number, len: number) { return this.mem().slice(this.io + off, this.io + off + len); }
  begin(seed: Uint8Array, readers: Uint8Array[], epoch: number, firstSeq: bigint, prev: Uint8Array, rnd: Uint8Array) {
    this.put(SEED, seed); this.put(PREV, prev); this.put(RND, rnd);
    readers.forEach((r, i) => this.put(READERS + 32 * i, r));
    const len = this.x.readings_test_begin(OUT, SEED, READERS, readers.length, epoch, firstSeq, PREV, RND);
    return { len, record: len > 0 ? this.take(OUT, len) : null, rndAfter: this.take(RND, rnd.length) };
  }
  seal(feed: number, payload: Uint8Array) {
    this.put(PAYLOAD, payload);
    const len = this.x.readings_test_seal(OUT, feed, PAYLOAD, payload.length);
    return { len, record: len > 0 ? this.take(OUT, len) : null };
  }
  close(seed: Uint8Array) {
    this.put(SEED, seed);
    const len = this.x.readings_test_close(OUT, SEED);
    return { len, record: len > 0 ? this.take(OUT, len) : null };
  }
}

test('core and TS sealers write identical records from the same randomness; TS verifies the core stream', async () => {
  const c = new CoreSealer(await core());
  c.x.readings_test_wipe();
  const f = fixture('readings/core-interop');
  const readerSets = [[f.owner.x25519PublicKey], [f.owner.x25519PublicKey, f.reader2.x25519PublicKey],
    [f.owner.x25519PublicKey, f.reader2.x25519PublicKey, f.stranger.x25519PublicKey]];
  const coreRecords: Uint8Array[] = [];
  let prev = new Uint8Array(32);
  let seq = 1n;
  let compared = 0;
  for (let e = 1; e <= 4; e++) {
    const readers = readerSets[(e - 1) % readerSets.length];
    const before = f.draws.length;
    const tsOpen = f.sealer.openEpoch(readers);
    const rnd = f.draws[before]; // K_E || skE_0 || ... (the TS sealer's first draw of the epoch)
    assert.is(rnd.length, 32 * (1 + readers.length));
    const b = c.begin(f.device.seed, readers, e, seq, prev, rnd);
    assert.is(b.len, tsOpen.length, `epoch ${e}: EPOCH_OPEN length`);
    assert.is(toHex(b.record!), toHex(tsOpen), `epoch ${e}: EPOCH_OPEN`);
    assert.ok(b.rndAfter.every((x) => x === 0), 'rnd wiped');
    coreRecords.push(b.record!);
    compared++;
    const n = e === 4 ? 3 : 2 + f.r.int(5);
    for (let i = 0; i < n; i++) {
      const payload = f.r.bytes(f.r.int(200));
      const feed = f.r.int(0x10000);
      const ts = f.sealer.sealReading(feed, payload);
      const cr = c.seal(feed, payload);
      assert.is(toHex(cr.record!), toHex(ts), `epoch ${e}: READING ${seq + BigInt(i)} (${payload.length} bytes)`);
      coreRecords.push(cr.record!);
      compared++;
    }
    seq += BigInt(n);
    assert.is(c.x.readings_test_next_seq(), seq);
    if (e < 4) {
      const tsClose = f.sealer.closeEpoch();
      const cc = c.close(f.device.seed);
      assert.is(toHex(cc.record!), toHex(tsClose), `epoch ${e}: EPOCH_CLOSE`);
      coreRecords.push(cc.record!);
      compared++;
      c.x.readings_test_chain(PREV);
      prev = c.take(PREV, 32);
      assert.equal(prev, f.sealer.state().prevChain, 'final chain');
    }
  }
  assert.ok(compared > 15);
  const v = verifyDeviceStream(f.device.ed25519PublicKey, coreRecords, f.reader2.x25519Secret);
  assert.equal(v.issues.map((i) => i.kind), ['no-access', 'no-access', 'open'], 'reader2 is not in epochs 1 and 4');
  const o = verifyDeviceStream(f.device.ed25519PublicKey, coreRecords, f.owner.x25519Secret);
  assert.equal(o.issues.map((i) => i.kind), ['open']);
  assert.is(o.readings.length, Number(seq - 1n));
  c.x.readings_test_close(OUT, SEED);
});

test('core: in-place sealing, refusals, the epoch key wiped at close, static memory budget', async () => {
  const c = new CoreSealer(await core());
  c.x.readings_test_wipe();
  const f = fixture('readings/core-refusals');
  const zero = new Uint8Array(32);
  // Sealing or closing with no epoch open.
  assert.is(c.seal(1, Uint8Array.of(1)).len, STATUS.INVALID);
  assert.is(c.close(f.device.seed).len, STATUS.INVALID);
  // Bad arguments: epoch 0, seq 0, no readers.
  const rnd = () => f.r.bytes(64);
  assert.is(c.begin(f.device.seed, [f.owner.x25519PublicKey], 0, 1n, zero, rnd()).len, STATUS.INVALID);
  assert.is(c.begin(f.device.seed, [f.owner.x25519PublicKey], 1, 0n, zero, rnd()).len, STATUS.INVALID);
  assert.is(c.begin(f.device.seed, [], 1, 1n, zero, rnd().subarray(0, 32)).len, STATUS.INVALID);
  // A reader key of small order: refused, state and randomness wiped.
  const bad = c.begin(f.device.seed, [f.owner.x25519PublicKey, new Uint8Array(32)], 1, 1n, zero, f.r.bytes(96));
  assert.is(bad.len, STATUS.INVALID);
  assert.ok(bad.rndAfter.every((x) => x === 0));
  assert.is(c.x.readings_test_is_open(), 0);
  // A good epoch; a second begin while open is refused.
  const keyAndEph = f.r.bytes(64);
  const key = keyAndEph.slice(0, 32);
  assert.ok(c.begin(f.device.seed, [f.owner.x25519PublicKey], 1, 1n, zero, keyAndEph).len > 0);
  assert.is(c.begin(f.device.seed, [f.owner.x25519PublicKey], 2, 1n, zero, f.r.bytes(64)).len, STATUS.INVALID);
  // In place: the payload already at OUT + header.
  const payload = f.r.bytes(40);
  c.put(OUT + READING_HEADER_BYTES, payload);
  const len = c.x.readings_test_seal(OUT, 9, OUT + READING_HEADER_BYTES, payload.length);
  assert.is(len, payload.length + 31);
  const inPlace = c.take(OUT, len);
  const open = c.close(f.device.seed);
  assert.ok(open.len > 0);
  const mem = Buffer.from(c.x.memory.buffer);
  assert.is(mem.indexOf(Buffer.from(key)), -1, 'K_E found in memory after close');
  assert.is(mem.indexOf(Buffer.from(f.device.x25519Secret)), -1, 'x_D found in memory');
  assert.is(c.x.readings_test_is_open(), 0);
  void inPlace;
  const staticBytes = c.x.readings_test_sizes(0);
  assert.ok(staticBytes <= 600, `firmware/readings static data ${staticBytes} bytes`);
});

test.run();
