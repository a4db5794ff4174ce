// The Store conformance suite: every implementation (memory, SQLite, later
// PostgreSQL) runs exactly these tests, so they keep one semantics.
//
//   storeConformance('sqlite', factory).run()
//
// The factory makes a fresh, empty store per test; `reopen` (optional) closes
// nothing itself but opens the same storage again after the test closed it,
// which enables the persistence tests.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { StoreError, type ClaimedDevice, type NewDevice, type Reading, type Store } from '../../cloud/store/index.ts';

export interface StoreHarness {
  store: Store;
  /** Open the same storage again (after `store` was closed). */
  reopen?: () => Promise<Store>;
  /** Remove everything the harness made. */
  cleanup: () => Promise<void>;
}

const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const OWNER = 'did:key:z6MkOwnerAlice';
const OTHER_OWNER = 'did:key:z6MkOwnerBob';

function newDevice(i: number, owner = OWNER): NewDevice {
  return {
    did: `did:key:z6MkDevice${i}`, ed25519PublicKey: bytes(32), staticKey: bytes(32), devicePsk: bytes(32),
    owner, name: `sensor ${i}`, metadata: { room: `r${i}`, tags: ['a', 1, true, null] }, registeredAt: 1000 + i,
  };
}

function claimed(i: number): ClaimedDevice {
  const { owner: _owner, ...d } = newDevice(i);
  return d;
}

function reading(seq: number, over: Partial<Reading> = {}): Reading {
  return { device: 'did:key:z6MkDevice1', epoch: 1, seq, feed: 3, body: bytes(48), receivedAt: 10_000 + seq, ...over };
}

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(check(e), `${what}: unexpected error ${String(e)}`);
    return;
  }
  assert.unreachable(`${what}: resolved`);
}

const code = (c: string) => (e: unknown): boolean => e instanceof StoreError && e.code === c;
const isType = (e: unknown): boolean => e instanceof TypeError;
const isRange = (e: unknown): boolean => e instanceof RangeError;

export function storeConformance(name: string, make: () => Promise<StoreHarness>) {
  const t = suite(`store conformance: ${name}`);
  let h: StoreHarness;
  let s: Store;

  t.before.each(async () => {
    h = await make();
    s = h.store;
    await s.createOwner({ did: OWNER, name: 'Alice', metadata: { email: 'alice@example.org' }, createdAt: 1 });
  });
  t.after.each(async () => {
    await s.close();
    await h.cleanup();
  });

  // ---- owners ----

  t('owners: create, get, conflict, copies', async () => {
    const o = await s.getOwner(OWNER);
    assert.equal(o, { did: OWNER, name: 'Alice', metadata: { email: 'alice@example.org' }, createdAt: 1 });
    o!.metadata.email = 'changed';
    assert.equal((await s.getOwner(OWNER))!.metadata, { email: 'alice@example.org' });
    assert.is(await s.getOwner(OTHER_OWNER), undefined);
    await rejects(s.createOwner({ did: OWNER, name: 'x', metadata: {}, createdAt: 2 }), code('STORE_CONFLICT'), 'duplicate owner');
  });

  t('owners: argument checks', async () => {
    await rejects(s.createOwner({ did: 5 as unknown as string, name: '', metadata: {}, createdAt: 0 }), isType, 'did type');
    await rejects(s.createOwner({ did: '', name: '', metadata: {}, createdAt: 0 }), isRange, 'empty did');
    await rejects(s.createOwner({ did: 'did:x', name: '', metadata: [] as unknown as {}, createdAt: 0 }), isType, 'metadata array');
    await rejects(s.createOwner({ did: 'did:x', name: '', metadata: {}, createdAt: -1 }), isRange, 'negative time');
    await rejects(s.getOwner(undefined as unknown as string), isType, 'get type');
  });

  // ---- claims ----

  t('claims: create, get, conflict, unknown owner', async () => {
    const claimId = bytes(8);
    const claimPsk = bytes(32);
    await s.createClaim({ claimId, claimPsk, expiresAt: 5000, owner: OWNER });
    const c = await s.getClaim(claimId);
    assert.equal(c, { claimId, claimPsk, expiresAt: 5000, used: false, owner: OWNER });
    c!.claimPsk.fill(0);
    assert.equal((await s.getClaim(claimId))!.claimPsk, claimPsk);
    assert.is(await s.getClaim(bytes(8)), undefined);
    await rejects(s.createClaim({ claimId, claimPsk, expiresAt: 1, owner: OWNER }), code('STORE_CONFLICT'), 'duplicate claim');
    await rejects(s.createClaim({ claimId: bytes(8), claimPsk, expiresAt: 1, owner: OTHER_OWNER }), code('STORE_UNKNOWN_OWNER'), 'unknown owner');
    await rejects(s.createClaim({ claimId: bytes(7), claimPsk, expiresAt: 1, owner: OWNER }), isRange, 'short claim id');
    await rejects(s.getClaim('00' as unknown as Uint8Array), isType, 'claim id type');
  });

  t('claims: consume once; used, expired, unknown', async () => {
    const claimId = bytes(8);
    await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5000, owner: OWNER });
    assert.equal(await s.consumeClaim(bytes(8), { now: 1 }), { ok: false, reason: 'unknown' });
    assert.equal(await s.consumeClaim(claimId, { now: 5000 }), { ok: false, reason: 'expired' });
    assert.is((await s.getClaim(claimId))!.used, false);
    const r = await s.consumeClaim(claimId, { now: 4999 });
    assert.ok(r.ok);
    assert.is(r.ok && r.claim.used, true);
    assert.is(r.ok && r.device, undefined);
    assert.is((await s.getClaim(claimId))!.used, true);
    assert.equal(await s.consumeClaim(claimId, { now: 1 }), { ok: false, reason: 'used' });
    // Without `now` the expiry is not checked (the caller did).
    const late = bytes(8);
    await s.createClaim({ claimId: late, claimPsk: bytes(32), expiresAt: 1, owner: OWNER });
    assert.ok((await s.consumeClaim(late)).ok);
  });

  t('claims: concurrent consumes, exactly one wins', async () => {
    const claimId = bytes(8);
    await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5000, owner: OWNER });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.consumeClaim(claimId, { now: 1, register: claimed(i) })));
    assert.is(results.filter((r) => r.ok).length, 1);
    assert.is(results.filter((r) => !r.ok && r.reason === 'used').length, 7);
    assert.is((await s.listDevicesByOwner(OWNER)).length, 1);
  });

  t('claims: consume registers the device to the claim owner', async () => {
    const claimId = bytes(8);
    await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5000, owner: OWNER });
    const d = claimed(1);
    const r = await s.consumeClaim(claimId, { now: 1, register: d });
    assert.ok(r.ok && r.device !== undefined);
    const expected = { ...d, owner: OWNER, lastCounter: 0n, revoked: false };
    assert.equal(r.ok && r.device, expected);
    assert.equal(await s.getDevice(d.did), expected);
    assert.equal(await s.deviceByStatic(d.staticKey), expected);
  });

  t('claims: re-enrollment replaces keys and resets the counter; revoked devices are refused', async () => {
    const first = bytes(8);
    const second = bytes(8);
    const third = bytes(8);
    for (const claimId of [first, second, third]) await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5000, owner: OWNER });
    const d = claimed(1);
    assert.ok((await s.consumeClaim(first, { register: d })).ok);
    await s.updateCounter(d.did, 77n);
    const again = { ...d, devicePsk: bytes(32), name: 'renamed' };
    assert.ok((await s.consumeClaim(second, { register: again })).ok);
    const got = await s.getDevice(d.did);
    assert.equal(got!.devicePsk, again.devicePsk);
    assert.is(got!.name, 'renamed');
    assert.is(got!.lastCounter, 0n);
    await s.revokeDevice(d.did);
    assert.equal(await s.consumeClaim(third, { register: again }), { ok: false, reason: 'revoked' });
    assert.is((await s.getClaim(third))!.used, false, 'a refused consume changes nothing');
  });

  t('claims: a static-key conflict rejects and changes nothing', async () => {
    await s.registerDevice(newDevice(1));
    const taken = (await s.getDevice('did:key:z6MkDevice1'))!.staticKey;
    const claimId = bytes(8);
    await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5000, owner: OWNER });
    await rejects(s.consumeClaim(claimId, { register: { ...claimed(2), staticKey: taken } }), code('STORE_CONFLICT'), 'static conflict');
    assert.is((await s.getClaim(claimId))!.used, false);
    assert.is(await s.getDevice('did:key:z6MkDevice2'), undefined);
    // The store keeps working after a failed write in a batch.
    assert.ok((await s.consumeClaim(claimId, { register: claimed(2) })).ok);
  });

  // ---- devices ----

  t('devices: register, get, by static, conflicts, unknown owner', async () => {
    const d = newDevice(1);
    await s.registerDevice(d);
    const expected = { ...d, lastCounter: 0n, revoked: false };
    assert.equal(await s.getDevice(d.did), expected);
    assert.equal(await s.deviceByStatic(d.staticKey), expected);
    assert.is(await s.getDevice('did:key:z6MkNobody'), undefined);
    assert.is(await s.deviceByStatic(bytes(32)), undefined);
    await rejects(s.registerDevice({ ...newDevice(2), did: d.did }), code('STORE_CONFLICT'), 'same did');
    await rejects(s.registerDevice({ ...newDevice(2), staticKey: d.staticKey }), code('STORE_CONFLICT'), 'same static');
    await rejects(s.registerDevice(newDevice(3, OTHER_OWNER)), code('STORE_UNKNOWN_OWNER'), 'unknown owner');
    await rejects(s.registerDevice({ ...newDevice(4), devicePsk: bytes(31) }), isRange, 'short psk');
    await rejects(s.registerDevice({ ...newDevice(4), staticKey: Array(32).fill(0) as unknown as Uint8Array }), isType, 'array key');
    // Defaults: no name, no metadata.
    const { name: _n, metadata: _m, ...bare } = newDevice(5);
    await s.registerDevice(bare);
    const got = await s.getDevice(bare.did);
    assert.is(got!.name, '');
    assert.equal(got!.metadata, {});
  });

  t('devices: returned records are copies', async () => {
    const d = newDevice(1);
    await s.registerDevice(d);
    const got = (await s.getDevice(d.did))!;
    got.devicePsk.fill(0);
    (got.metadata as { room: string }).room = 'x';
    const again = (await s.getDevice(d.did))!;
    assert.equal(again.devicePsk, d.devicePsk);
    assert.is((again.metadata as { room: string }).room, 'r1');
    d.staticKey.fill(0); // the caller's input was copied too
    assert.ok(await s.deviceByStatic((await s.getDevice(d.did))!.staticKey));
  });

  t('devices: list by owner, ordered by DID', async () => {
    await s.createOwner({ did: OTHER_OWNER, name: 'Bob', metadata: {}, createdAt: 2 });
    for (const i of [3, 1, 2]) await s.registerDevice(newDevice(i));
    await s.registerDevice(newDevice(9, OTHER_OWNER));
    assert.equal((await s.listDevicesByOwner(OWNER)).map((d) => d.did), [1, 2, 3].map((i) => `did:key:z6MkDevice${i}`));
    assert.equal((await s.listDevicesByOwner(OTHER_OWNER)).map((d) => d.did), ['did:key:z6MkDevice9']);
    assert.equal(await s.listDevicesByOwner('did:key:z6MkNobody'), []);
  });

  t('devices: update, revoke, counter never lowers', async () => {
    const d = newDevice(1);
    await s.registerDevice(d);
    assert.is(await s.updateDevice(d.did, { name: 'attic' }), true);
    assert.is(await s.updateDevice(d.did, { metadata: { floor: 2 } }), true);
    assert.is(await s.updateDevice('did:key:z6MkNobody', { name: 'x' }), false);
    let got = (await s.getDevice(d.did))!;
    assert.is(got.name, 'attic');
    assert.equal(got.metadata, { floor: 2 });

    assert.is(await s.updateCounter(d.did, 5n), true);
    assert.is(await s.updateCounter(d.did, 5n), false);
    assert.is(await s.updateCounter(d.did, 3n), false);
    assert.is((await s.getDevice(d.did))!.lastCounter, 5n);
    const max = (1n << 64n) - 1n;
    assert.is(await s.updateCounter(d.did, max), true);
    assert.is((await s.getDevice(d.did))!.lastCounter, max);
    assert.is(await s.updateCounter('did:key:z6MkNobody', 1n), false);
    await rejects(s.updateCounter(d.did, 1n << 64n), isRange, 'counter too big');
    await rejects(s.updateCounter(d.did, 1 as unknown as bigint), isType, 'counter type');

    assert.is(await s.revokeDevice(d.did), true);
    assert.is(await s.revokeDevice('did:key:z6MkNobody'), false);
    got = (await s.getDevice(d.did))!;
    assert.is(got.revoked, true);
    assert.is((await s.deviceByStatic(d.staticKey))!.revoked, true);
  });

  // ---- readings ----

  t('readings: stored once per (device, epoch, seq); the first record stays', async () => {
    const r = reading(1);
    assert.is(await s.append(r), 'stored');
    assert.is(await s.append({ ...r, body: bytes(10), receivedAt: 99_999 }), 'duplicate');
    assert.is(await s.append({ ...r, feed: 4 }), 'duplicate', 'the feed is not part of the identity');
    for (const other of [{ seq: 2 }, { epoch: 2 }, { device: 'did:key:z6MkDevice2' }]) {
      assert.is(await s.append({ ...r, ...other }), 'stored', JSON.stringify(other));
    }
    const page = await s.queryReadings({ device: r.device });
    assert.equal(page.readings.map((x) => [x.epoch, x.seq]), [[1, 1], [1, 2], [2, 1]]);
    assert.equal(page.readings[0], r);
    assert.is(page.cursor, undefined);
  });

  t('readings: concurrent appends with duplicates in one batch', async () => {
    const rs = Array.from({ length: 300 }, (_, i) => reading(i % 100, { receivedAt: 10_000 + (i % 100) }));
    const results = await Promise.all(rs.map((r) => s.append(r)));
    assert.is(results.filter((x) => x === 'stored').length, 100);
    assert.equal(results.slice(0, 100), Array(100).fill('stored'), 'the first of each is the stored one');
    const page = await s.queryReadings({ device: rs[0].device, limit: 1000 });
    assert.is(page.readings.length, 100);
    page.readings.forEach((r, i) => assert.equal(r.body, rs[i].body));
  });

  t('readings: sequence and received order, time range, epoch and feed filters', async () => {
    // A retransmitted reading (seq 2) arrives after later ones.
    const rs = [
      reading(1, { epoch: 1, receivedAt: 100, feed: 0 }), reading(3, { epoch: 1, receivedAt: 200, feed: 1 }),
      reading(4, { epoch: 2, receivedAt: 200, feed: 0 }), reading(2, { epoch: 1, receivedAt: 300, feed: 0 }),
      reading(5, { epoch: 2, receivedAt: 400, feed: 65535 }),
    ];
    for (const r of rs) await s.append(r);
    const q = { device: rs[0].device };
    const key = (r: Reading) => `${r.receivedAt}/${r.epoch}/${r.seq}/${r.feed}`;
    const bySeq = ['100/1/1/0', '300/1/2/0', '200/1/3/1', '200/2/4/0', '400/2/5/65535'];
    assert.equal((await s.queryReadings(q)).readings.map(key), bySeq);
    assert.equal((await s.queryReadings({ ...q, order: 'sequence' })).readings.map(key), bySeq);
    assert.equal((await s.queryReadings({ ...q, order: 'received' })).readings.map(key),
      ['100/1/1/0', '200/1/3/1', '200/2/4/0', '300/1/2/0', '400/2/5/65535']);
    assert.equal((await s.queryReadings({ ...q, from: 200, to: 400 })).readings.map(key), ['300/1/2/0', '200/1/3/1', '200/2/4/0']);
    assert.equal((await s.queryReadings({ ...q, epoch: 2 })).readings.map(key), ['200/2/4/0', '400/2/5/65535']);
    assert.equal((await s.queryReadings({ ...q, feed: 0 })).readings.map(key), ['100/1/1/0', '300/1/2/0', '200/2/4/0']);
    assert.equal((await s.queryReadings({ ...q, feed: 0, order: 'received', from: 150 })).readings.map(key), ['200/2/4/0', '300/1/2/0']);
    assert.equal((await s.queryReadings({ ...q, epoch: 1, feed: 1 })).readings.map(key), ['200/1/3/1']);
    assert.equal((await s.queryReadings({ ...q, feed: 9 })).readings, []);
    assert.equal((await s.queryReadings({ ...q, from: 401 })).readings, []);
    assert.equal((await s.queryReadings({ device: 'did:key:z6MkNobody' })).readings, []);
  });

  t('readings: pagination returns each reading once, in order', async () => {
    const rs = Array.from({ length: 157 }, (_, i) => reading(i, { epoch: Math.floor(i / 20), feed: i % 3, receivedAt: 1000 + ((i * 37) % 50) }));
    await Promise.all(rs.map((r) => s.append(r)));
    const cases = [
      [10, undefined, undefined, 'sequence'], [1, 1, undefined, 'sequence'], [50, undefined, 2, 'received'],
      [157, undefined, undefined, 'received'], [7, undefined, undefined, 'received'], [1000, 2, 0, 'sequence'],
    ] as const;
    for (const [limit, epoch, feed, order] of cases) {
      const seen: Reading[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.queryReadings({ device: rs[0].device, limit, cursor, epoch, feed, order, from: 1001 });
        assert.ok(page.readings.length <= limit);
        seen.push(...page.readings);
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined && pages < 500);
      const want = rs.filter((r) => r.receivedAt >= 1001 && (epoch === undefined || r.epoch === epoch) && (feed === undefined || r.feed === feed))
        .sort((a, b) => (order === 'received' ? a.receivedAt - b.receivedAt : 0) || a.epoch - b.epoch || a.seq - b.seq);
      assert.equal(seen.map((r) => `${r.epoch}/${r.seq}`), want.map((r) => `${r.epoch}/${r.seq}`), `${order} limit ${limit}`);
      assert.ok(pages <= Math.ceil(want.length / limit) + 1);
    }
  });

  t('readings: a cursor only while more readings exist (a full last page has none)', async () => {
    for (const seq of [1, 2, 3]) await s.append(reading(seq));
    const q = { device: reading(1).device };
    assert.is((await s.queryReadings({ ...q, limit: 3 })).cursor, undefined, 'limit = matches');
    const first = await s.queryReadings({ ...q, limit: 2 });
    assert.equal(first.readings.map((r) => r.seq), [1, 2]);
    assert.type(first.cursor, 'string');
    const last = await s.queryReadings({ ...q, limit: 2, cursor: first.cursor });
    assert.equal(last.readings.map((r) => r.seq), [3]);
    assert.is(last.cursor, undefined);
  });

  t('readings: argument checks', async () => {
    await rejects(s.append(reading(-1)), isRange, 'negative seq');
    await rejects(s.append(reading(1.5)), isRange, 'fractional seq');
    await rejects(s.append(reading(1, { epoch: 2 ** 53 })), isRange, 'epoch too big');
    await rejects(s.append(reading(1, { body: new Uint8Array(0) })), isRange, 'empty body');
    await rejects(s.append(reading(1, { body: 'x' as unknown as Uint8Array })), isType, 'body type');
    await rejects(s.append(reading(1, { feed: 65536 })), isRange, 'feed too big');
    await rejects(s.append(reading(1, { feed: '1' as unknown as number })), isType, 'feed type');
    await rejects(s.queryReadings({ device: 'd', limit: 0 }), isRange, 'limit 0');
    await rejects(s.queryReadings({ device: 'd', limit: 1001 }), isRange, 'limit too big');
    await rejects(s.queryReadings({ device: 'd', cursor: 'nope' }), isRange, 'bad cursor');
    await rejects(s.queryReadings({ device: 'd', cursor: 's.1.2', order: 'received' }), isRange, 'cursor of another order');
    await rejects(s.queryReadings({ device: 'd', order: 'random' as 'sequence' }), isRange, 'bad order');
    assert.equal((await s.queryReadings({ device: 'did:key:z6MkDevice1' })).readings, [], 'nothing was stored');
  });

  // ---- epochs ----

  t('epochs: open and close records stored once; wraps per reader, replaced', async () => {
    const k = { device: 'did:key:z6MkDevice1', epoch: 7 };
    assert.is(await s.getEpoch(k), undefined);
    const open = bytes(300);
    const close = bytes(113);
    assert.is(await s.openEpoch(k, open), 'stored');
    assert.is(await s.openEpoch(k, bytes(300)), 'duplicate');
    assert.equal(await s.getEpoch(k), { ...k, open, wraps: [] });
    assert.is(await s.closeEpoch(k, close), 'stored');
    assert.is(await s.closeEpoch(k, bytes(113)), 'duplicate');
    const w1 = bytes(112);
    const w2 = bytes(112);
    const w3 = bytes(112);
    await s.putWrap(k, 'did:key:z6MkReaderB', w1);
    await s.putWrap(k, 'did:key:z6MkReaderA', w2);
    await s.putWrap(k, 'did:key:z6MkReaderB', w3);
    const e = await s.getEpoch(k);
    assert.equal(e, { ...k, open, close, wraps: [{ reader: 'did:key:z6MkReaderA', wrap: w2 }, { reader: 'did:key:z6MkReaderB', wrap: w3 }] });
    e!.open!.fill(0);
    assert.equal((await s.getEpoch(k))!.open, open, 'a copy');
    // Other epochs and devices are separate; a close or a wrap alone is an epoch record.
    assert.is(await s.getEpoch({ ...k, epoch: 8 }), undefined);
    assert.is(await s.getEpoch({ ...k, device: 'did:key:z6MkDevice2' }), undefined);
    await s.closeEpoch({ ...k, epoch: 9 }, close);
    assert.equal(await s.getEpoch({ ...k, epoch: 9 }), { ...k, epoch: 9, close, wraps: [] });
    await s.putWrap({ ...k, epoch: 10 }, 'did:key:z6MkReaderA', w1);
    assert.equal(await s.getEpoch({ ...k, epoch: 10 }), { ...k, epoch: 10, wraps: [{ reader: 'did:key:z6MkReaderA', wrap: w1 }] });
    await rejects(s.putWrap(k, 'did:key:z6MkReaderA', new Uint8Array(0)), isRange, 'empty wrap');
    await rejects(s.closeEpoch({ ...k, epoch: -1 }, close), isRange, 'negative epoch');
    await rejects(s.openEpoch(k, new Uint8Array(32 * 1024 + 1)), isRange, 'record too long');
  });

  t('epochs: listed in order, paged by `from`', async () => {
    const device = 'did:key:z6MkDevice1';
    const opens = new Map<number, Uint8Array>();
    for (const epoch of [5, 1, 3, 2, 4]) {
      opens.set(epoch, bytes(40));
      await s.openEpoch({ device, epoch }, opens.get(epoch)!);
    }
    await s.closeEpoch({ device, epoch: 1 }, bytes(20));
    await s.putWrap({ device, epoch: 3 }, 'did:key:z6MkReaderA', bytes(112));
    await s.putWrap({ device, epoch: 6 }, 'did:key:z6MkReaderA', bytes(112));
    await s.openEpoch({ device: 'did:key:z6MkDevice2', epoch: 1 }, bytes(40));
    const all = await s.listEpochs(device);
    assert.equal(all.map((e) => e.epoch), [1, 2, 3, 4, 5, 6]);
    assert.equal(all.map((e) => e.open), [1, 2, 3, 4, 5].map((n) => opens.get(n)).concat([undefined]));
    assert.ok(all[0].close !== undefined && all[1].close === undefined);
    assert.equal(all.map((e) => e.wraps.length), [0, 0, 1, 0, 0, 1]);
    assert.equal((await s.listEpochs(device, { from: 3, limit: 2 })).map((e) => e.epoch), [3, 4]);
    for (const [i, e] of (await s.listEpochs(device, { from: 2, limit: 1000 })).entries()) assert.equal(e, all[i + 1]);
    assert.equal(await s.listEpochs('did:key:z6MkNobody'), []);
    await rejects(s.listEpochs(device, { limit: 0 }), isRange, 'limit 0');
  });

  // ---- close ----

  t('close: pending writes complete; later calls reject STORE_CLOSED', async () => {
    const pending = Array.from({ length: 50 }, (_, i) => s.append(reading(i)));
    const counter = s.registerDevice(newDevice(1));
    await s.close();
    assert.equal(await Promise.all(pending), Array(50).fill('stored'));
    await counter;
    await s.close(); // idempotent
    await rejects(s.append(reading(99)), code('STORE_CLOSED'), 'append after close');
    await rejects(s.getDevice('did:key:z6MkDevice1'), code('STORE_CLOSED'), 'read after close');
    if (h.reopen !== undefined) {
      s = await h.reopen();
      assert.is((await s.queryReadings({ device: 'did:key:z6MkDevice1', limit: 1000 })).readings.length, 50);
      assert.is((await s.getDevice('did:key:z6MkDevice1'))!.name, 'sensor 1');
    }
  });

  t('persistence: everything survives a reopen', async () => {
    if (h.reopen === undefined) return;
    const d = newDevice(1);
    await s.registerDevice(d);
    await s.updateCounter(d.did, 42n);
    const claimId = bytes(8);
    await s.createClaim({ claimId, claimPsk: bytes(32), expiresAt: 5, owner: OWNER });
    const r = reading(1);
    await s.append(r);
    const k = { device: r.device, epoch: r.epoch };
    const wrap = bytes(64);
    await s.openEpoch(k, bytes(200));
    await s.putWrap(k, 'did:key:z6MkReaderA', wrap);
    await s.closeEpoch(k, wrap);
    const before = {
      owner: await s.getOwner(OWNER), device: await s.getDevice(d.did), claim: await s.getClaim(claimId),
      readings: await s.queryReadings({ device: r.device }), epoch: await s.getEpoch(k), epochs: await s.listEpochs(r.device),
    };
    await s.close();
    s = await h.reopen();
    const after = {
      owner: await s.getOwner(OWNER), device: await s.getDevice(d.did), claim: await s.getClaim(claimId),
      readings: await s.queryReadings({ device: r.device }), epoch: await s.getEpoch(k), epochs: await s.listEpochs(r.device),
    };
    assert.equal(after, before);
    assert.is(after.device!.lastCounter, 42n);
    assert.is(await s.append(r), 'duplicate', 'idempotence survives a reopen');
  });

  return t;
}
