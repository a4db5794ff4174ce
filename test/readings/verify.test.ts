// Sealed readings v1: TS sealer -> TS verifier round trips, the reader set,
// and every relay misbehaviour the owner must see (docs/readings.md, "What the
// owner verifies"): gap, reorder, deleted (tail, whole epoch, close, open),
// forged (ciphertext, header, signature, malformed), replays from another
// epoch or device, and the open newest epoch.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  verifyDeviceStream, decodeRecord, ReadingsFormatError, EpochSealer, type StreamIssue,
  OPEN_FIXED_BYTES, WRAP_BYTES, CLOSE_BYTES, READING_OVERHEAD_BYTES,
} from '../../cloud/readings/index.ts';
import { fixture, sealEpochs, text } from './support.ts';

const test = suite('readings: seal and verify');

const kinds = (issues: StreamIssue[]) => issues.map((i) => `${i.kind}${i.what ? ':' + i.what : ''}`).sort();
const flip = (b: Uint8Array, at: number) => { const c = b.slice(); c[at] ^= 1; return c; };

test('round trip: 3 closed epochs + an open one, every reading back in order, only the "open" issue', () => {
  const f = fixture('readings/roundtrip');
  const records = sealEpochs(f, 3, 5, 2);
  const { readings, issues } = verifyDeviceStream(f.device.ed25519PublicKey, records, f.owner.x25519Secret);
  assert.is(readings.length, 17);
  readings.forEach((r, i) => {
    assert.is(r.seq, BigInt(i + 1));
    assert.is(text(r.payload), `e${r.epoch}s${i + 1}`);
  });
  assert.equal(kinds(issues), ['open']);
  assert.is(issues[0].epoch, 4);
  // A stream that ends closed has no issue at all; the did:key form works too.
  const closed = sealEpochs(fixture('readings/roundtrip2'), 2, 3);
  const f2 = fixture('readings/roundtrip2');
  const again = verifyDeviceStream(f2.device.did, closed, f2.owner.x25519Secret);
  assert.equal(again.issues, []);
  assert.is(again.readings.length, 6);
});

test('record sizes and strict decoding', () => {
  const f2 = fixture('readings/codec');
  const o = f2.sealer.openEpoch([f2.owner.x25519PublicKey, f2.reader2.x25519PublicKey]);
  const r = f2.sealer.sealReading(7, new Uint8Array(10));
  const c = f2.sealer.closeEpoch();
  assert.is(o.length, OPEN_FIXED_BYTES + 2 * WRAP_BYTES);
  assert.is(r.length, READING_OVERHEAD_BYTES + 10);
  assert.is(c.length, CLOSE_BYTES);
  const d = decodeRecord(r);
  assert.is(d.kind, 2);
  if (d.kind === 2) { assert.is(d.feed, 7); assert.is(d.seq, 1n); assert.is(d.epoch, 1); }
  const bad = (b: Uint8Array, re: RegExp) => assert.throws(() => decodeRecord(b), (e: unknown) => e instanceof ReadingsFormatError && e.code === 'format' && re.test(e.message));
  bad(new Uint8Array(0), /empty/);
  bad(Uint8Array.of(9, 0, 0), /unknown kind 9/);
  bad(o.subarray(0, o.length - 1), /n = 2 needs/);
  bad(c.subarray(0, 100), /EPOCH_CLOSE: expected 113/);
  bad(r.subarray(0, 20), /READING: at least 31/);
  const zeroEpoch = r.slice(); zeroEpoch.fill(0, 1, 5);
  bad(zeroEpoch, /epoch 0/);
  const noReaders = o.slice(); noReaders[45] = 0;
  bad(noReaders, /n = 0/);
  assert.throws(() => decodeRecord('x' as unknown as Uint8Array), TypeError);
});

test('a second reader granted in the epoch opens it; a non-reader gets no payloads but no false alarms', () => {
  const f = fixture('readings/readers');
  f.sealer.setReaders([f.owner.x25519PublicKey, f.reader2.did]);
  const records = sealEpochs(f, 2, 4);
  for (const who of [f.owner, f.reader2]) {
    const v = verifyDeviceStream(f.device.ed25519PublicKey, records, who.x25519Secret);
    assert.is(v.readings.length, 8);
    assert.equal(v.issues, []);
  }
  const v = verifyDeviceStream(f.device.ed25519PublicKey, records, f.stranger.x25519Secret);
  assert.is(v.readings.length, 0);
  assert.equal(kinds(v.issues), ['no-access', 'no-access']);
  // The stranger still proves completeness: a deleted reading shows.
  const cut = records.filter((_, i) => i !== 2);
  assert.ok(kinds(verifyDeviceStream(f.device.ed25519PublicKey, cut, f.stranger.x25519Secret).issues).includes('gap'));
});

test('reader set change closes the epoch; only readers of an epoch open it', () => {
  const f = fixture('readings/readers-change', { epochReadings: 1000 });
  const recs: Uint8Array[] = [];
  recs.push(...f.sealer.seal(1, Uint8Array.of(1)));
  recs.push(...f.sealer.setReaders([f.owner.x25519PublicKey, f.reader2.x25519PublicKey]));
  recs.push(...f.sealer.seal(1, Uint8Array.of(2)));
  recs.push(f.sealer.closeEpoch());
  const owner = verifyDeviceStream(f.device.ed25519PublicKey, recs, f.owner.x25519Secret);
  assert.equal(owner.readings.map((r) => r.payload[0]), [1, 2]);
  assert.equal(owner.issues, []);
  const r2 = verifyDeviceStream(f.device.ed25519PublicKey, recs, f.reader2.x25519Secret);
  assert.equal(r2.readings.map((r) => [r.epoch, r.payload[0]]), [[2, 2]]);
  assert.equal(kinds(r2.issues), ['no-access']);
});

test('seal() rotates epochs after a randomized reading budget (64 ± 25 %) and after the time budget', () => {
  const f = fixture('readings/rotation');
  const recs: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) recs.push(...f.sealer.seal(0, Uint8Array.of(i & 0xff)));
  const decoded = recs.map(decodeRecord);
  const opens = decoded.filter((d) => d.kind === 1);
  const closes = decoded.filter((d) => d.kind === 3);
  assert.ok(opens.length >= 5 && opens.length <= 9, `epochs ${opens.length}`);
  const counts = closes.map((c) => (c.kind === 3 ? c.count : 0));
  for (const n of counts) assert.ok(n >= 48 && n <= 80, `epoch of ${n} readings`);
  assert.ok(new Set(counts).size > 1, 'epoch lengths vary');
  const v = verifyDeviceStream(f.device.ed25519PublicKey, recs, f.owner.x25519Secret);
  assert.is(v.readings.length, 400);
  assert.equal(kinds(v.issues), ['open']);
  // Time budget: a clock past the deadline closes the epoch at the next reading.
  let now = 0;
  const t = fixture('readings/rotation-time', { now: () => now, epochTimeMs: 60_000 });
  const a = t.sealer.seal(0, Uint8Array.of(1));
  now = 70_001;
  const b = t.sealer.seal(0, Uint8Array.of(2));
  assert.equal(a.map((x) => x[0]), [1, 2]);
  assert.equal(b.map((x) => x[0]), [3, 1, 2]);
});

// ---- relay misbehaviour ----

function stream(label: string) {
  const f = fixture(label);
  const records = sealEpochs(f, 3, 4, 2); // epochs 1..3 closed (seq 1..12), epoch 4 open (13..14)
  const verify = (recs: Uint8Array[]) => verifyDeviceStream(f.device.ed25519PublicKey, recs, f.owner.x25519Secret);
  // index of the READING with seq s: epoch k (0-based) starts at k*6
  const at = (seq: number) => { const e = Math.floor((seq - 1) / 4); return e * 6 + 1 + ((seq - 1) % 4); };
  return { f, records, verify, at };
}

test('dropped reading in the middle: gap', () => {
  const { records, verify, at } = stream('readings/gap');
  const v = verify(records.filter((_, i) => i !== at(6)));
  assert.equal(kinds(v.issues), ['gap', 'open']);
  const g = v.issues.find((i) => i.kind === 'gap')!;
  assert.equal([g.epoch, g.from, g.to], [2, 6n, 6n]);
  assert.is(v.readings.length, 13);
});

test('swapped records: reorder (and nothing lost)', () => {
  const { records, verify, at } = stream('readings/reorder');
  const r = records.slice();
  [r[at(2)], r[at(3)]] = [r[at(3)], r[at(2)]];
  const v = verify(r);
  assert.equal(kinds(v.issues), ['open', 'reorder']);
  assert.is(v.readings.length, 14);
  // An EPOCH_CLOSE served before its readings is out of order too.
  const r2 = records.slice();
  const close = r2.splice(at(4) + 1, 1)[0];
  r2.splice(at(1), 0, close);
  assert.ok(kinds(verify(r2).issues).includes('reorder'));
});

test('deleted last reading of a closed epoch: deleted', () => {
  const { records, verify, at } = stream('readings/tail');
  const v = verify(records.filter((_, i) => i !== at(8)));
  assert.equal(kinds(v.issues), ['deleted:readings', 'open']);
  const d = v.issues.find((i) => i.kind === 'deleted')!;
  assert.equal([d.epoch, d.from, d.to], [2, 8n, 8n]);
});

test('deleted whole epoch: deleted (middle epoch by number; the first epoch by genesis)', () => {
  const { records, verify } = stream('readings/epoch');
  const v = verify(records.filter((_, i) => i < 6 || i >= 12));
  assert.equal(kinds(v.issues), ['deleted:epoch', 'open']);
  assert.equal([v.issues[0].epoch, v.issues[0].toEpoch], [2, 2]);
  assert.ok(kinds(verify(records.slice(6)).issues).includes('deleted:epoch'));
  // With anchor 'first' (a window of the stream) a later start is fine.
  const f = stream('readings/epoch').f;
  assert.equal(kinds(verifyDeviceStream(f.device.did, records.slice(6), f.owner.x25519Secret, { anchor: 'first' }).issues), ['open']);
});

test('deleted EPOCH_CLOSE before a later epoch, or EPOCH_OPEN: deleted', () => {
  const { records, verify, at } = stream('readings/close');
  assert.equal(kinds(verify(records.filter((_, i) => i !== at(4) + 1)).issues), ['deleted:epoch-close', 'open']);
  const noOpen = verify(records.filter((_, i) => i !== 6));
  assert.equal(kinds(noOpen.issues), ['deleted:epoch-open', 'open']);
  assert.is(noOpen.readings.length, 10);
  // Close deleted AND its last reading deleted: the next epoch's first_seq still reveals it.
  const both = verify(records.filter((_, i) => i !== at(4) + 1 && i !== at(4)));
  assert.equal(kinds(both.issues), ['deleted:epoch-close', 'deleted:readings', 'open']);
});

test('altered ciphertext, header or signature: forged', () => {
  const { records, verify, at } = stream('readings/forged');
  const alter = (i: number, byte: number) => records.map((r, j) => (j === i ? flip(r, byte) : r));
  const ct = verify(alter(at(2), 20));
  assert.ok(kinds(ct.issues).includes('forged:reading'));
  assert.ok(kinds(ct.issues).includes('gap'));
  assert.is(ct.readings.length, 13);
  // Header: the feed (bytes 13..14) is in the AAD.
  assert.ok(kinds(verify(alter(at(2), 13)).issues).includes('forged:reading'));
  // The tag.
  const r = records[at(2)];
  assert.ok(kinds(verify(alter(at(2), r.length - 1)).issues).includes('forged:reading'));
  // EPOCH_OPEN signature and body (a wrap byte), EPOCH_CLOSE chain.
  assert.ok(kinds(verify(alter(6, records[6].length - 5)).issues).includes('forged:epoch-open'));
  assert.ok(kinds(verify(alter(6, 60)).issues).includes('forged:epoch-open'));
  assert.ok(kinds(verify(alter(at(4) + 1, 20)).issues).includes('forged:epoch-close'));
  // Garbage from the relay is an issue, never an exception.
  const junk = verify([...records, Uint8Array.of(2, 1), new Uint8Array(0)]);
  assert.equal(kinds(junk.issues).filter((k) => k === 'forged:malformed').length, 2);
});

test('replayed record from another epoch or another device: forged (and the hole it hides shows)', () => {
  const { f, records, verify, at } = stream('readings/replay');
  // A reading of epoch 1 relabelled as epoch 2, in place of seq 5.
  const moved = records[at(1)].slice();
  new DataView(moved.buffer).setUint32(1, 2, true);
  new DataView(moved.buffer).setBigUint64(5, 5n, true);
  const r1 = records.slice(); r1[at(5)] = moved;
  const v1 = verify(r1);
  assert.ok(kinds(v1.issues).includes('forged:reading'));
  assert.ok(kinds(v1.issues).includes('gap'));
  // An exact duplicate of an old record is dropped (retransmission) but reported out of order.
  const v2 = verify([...records.slice(0, 13), records[at(1)], ...records.slice(13)]);
  assert.equal(kinds(v2.issues), ['open', 'reorder']);
  assert.is(v2.readings.length, 14);
  // The same positions sealed by another device.
  const other = fixture('readings/replay-other');
  const otherRecs = sealEpochs(other, 3, 4, 2);
  const r3 = records.slice(); r3[at(3)] = otherRecs[at(3)];
  const v3 = verify(r3);
  assert.ok(kinds(v3.issues).includes('forged:reading'));
  assert.ok(kinds(v3.issues).includes('gap'));
  // Another device's whole epoch in place of epoch 2.
  const r4 = [...records.slice(0, 6), ...otherRecs.slice(6, 12), ...records.slice(12)];
  const v4 = verify(r4);
  assert.ok(kinds(v4.issues).includes('forged:epoch-open'));
  assert.ok(kinds(v4.issues).includes('forged:epoch-close'));
  assert.is(v4.readings.length, 10, 'epochs 1, 3 and 4 still open');
  void f;
});

test('programmer errors throw; relay data never does', () => {
  const { f, records } = stream('readings/args');
  assert.throws(() => verifyDeviceStream(new Uint8Array(31), records, f.owner.x25519Secret), RangeError);
  assert.throws(() => verifyDeviceStream(f.device.ed25519PublicKey, records, new Uint8Array(3)), RangeError);
  assert.throws(() => verifyDeviceStream(f.device.ed25519PublicKey, 'x' as unknown as Uint8Array[], f.owner.x25519Secret), TypeError);
  assert.throws(() => new EpochSealer({ seed: new Uint8Array(32), readers: [] }), RangeError);
  const shuffled = records.slice().reverse();
  const v = verifyDeviceStream(f.device.ed25519PublicKey, shuffled, f.owner.x25519Secret);
  assert.is(v.readings.length, 14);
  assert.ok(kinds(v.issues).includes('reorder'));
});

test.run();
