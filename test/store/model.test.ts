// Model-based check: random batches of concurrent writes and reads run against
// the SQLite store and the in-memory store give identical results (the memory
// store is the model). Writes of a batch are issued without awaiting, so they
// share group commits in SQLite.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { join } from 'node:path';
import { MemoryStore, openSqliteStore, type Store } from '../../cloud/store/index.ts';
import { tempDir } from './support.ts';

const OWNER = 'did:key:z6MkModelOwner';
const devices = ['did:key:z6MkM1', 'did:key:z6MkM2'];
const feeds = [0, 1];
const readers = ['did:key:z6MkR1', 'did:key:z6MkR2'];

const small = fc.integer({ min: 0, max: 3 });
const device = { device: fc.constantFrom(...devices) };
const bytes = fc.uint8Array({ minLength: 1, maxLength: 24 });

const op = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), ...device, epoch: small, seq: fc.integer({ min: 0, max: 6 }), feed: fc.constantFrom(...feeds), body: bytes, receivedAt: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    kind: fc.constant('query' as const), ...device, feed: fc.option(fc.constantFrom(...feeds), { nil: undefined }),
    from: fc.option(small, { nil: undefined }), to: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    epoch: fc.option(small, { nil: undefined }), order: fc.constantFrom('sequence' as const, 'received' as const), limit: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({ kind: fc.constant('wrap' as const), ...device, epoch: small, reader: fc.constantFrom(...readers), wrap: bytes }),
  fc.record({ kind: fc.constantFrom('open' as const, 'close' as const), ...device, epoch: small, record: bytes }),
  fc.record({ kind: fc.constant('epoch' as const), ...device, epoch: small }),
  fc.record({ kind: fc.constant('epochs' as const), ...device, from: small, limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('counter' as const), ...device, counter: fc.bigInt({ min: 0n, max: 5n }) }),
  fc.record({ kind: fc.constant('revoke' as const), ...device }),
  fc.record({ kind: fc.constant('get' as const), ...device }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Run `o`; queries page through to the end so the cursors are exercised. */
async function run(s: Store, o: Op): Promise<unknown> {
  switch (o.kind) {
    case 'append': return s.append({ device: o.device, epoch: o.epoch, seq: o.seq, feed: o.feed, body: o.body, receivedAt: o.receivedAt });
    case 'query': {
      const pages = [];
      let cursor: string | undefined;
      do {
        const p = await s.queryReadings({ device: o.device, feed: o.feed, from: o.from, to: o.to, epoch: o.epoch, order: o.order, limit: o.limit, cursor });
        pages.push(p);
        cursor = p.cursor;
      } while (cursor !== undefined);
      return pages;
    }
    case 'wrap': return s.putWrap({ device: o.device, epoch: o.epoch }, o.reader, o.wrap);
    case 'open': return s.openEpoch({ device: o.device, epoch: o.epoch }, o.record);
    case 'close': return s.closeEpoch({ device: o.device, epoch: o.epoch }, o.record);
    case 'epoch': return s.getEpoch({ device: o.device, epoch: o.epoch });
    case 'epochs': return s.listEpochs(o.device, { from: o.from, limit: o.limit });
    case 'counter': return s.updateCounter(o.device, o.counter);
    case 'revoke': return s.revokeDevice(o.device);
    case 'get': return s.getDevice(o.device);
  }
}

async function setup(s: Store): Promise<void> {
  await s.createOwner({ did: OWNER, name: 'model', metadata: {}, createdAt: 0 });
  for (const [i, did] of devices.entries()) {
    const k = (b: number) => new Uint8Array(32).fill(b + i * 3);
    await s.registerDevice({ did, ed25519PublicKey: k(1), staticKey: k(2), devicePsk: k(3), owner: OWNER, registeredAt: 0 });
  }
}

test('store model: SQLite behaves as the memory store under concurrent batches', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }), async (batches) => {
    const tmp = tempDir();
    const model = new MemoryStore();
    const real = await openSqliteStore({ path: join(tmp.dir, 'm.db'), key: new Uint8Array(32).fill(7), synchronous: 'normal' });
    try {
      await setup(model);
      await setup(real);
      for (const batch of batches) {
        // Writes are issued together (one group commit); reads await them first.
        const writes = batch.filter((o) => !['query', 'epoch', 'epochs', 'get'].includes(o.kind));
        const reads = batch.filter((o) => ['query', 'epoch', 'epochs', 'get'].includes(o.kind));
        const [mw, rw] = await Promise.all([Promise.all(writes.map((o) => run(model, o))), Promise.all(writes.map((o) => run(real, o)))]);
        assert.equal(rw, mw);
        for (const o of reads) assert.equal(await run(real, o), await run(model, o), JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
      }
    } finally {
      await real.close();
      tmp.remove();
    }
  }), { numRuns: 40, seed: Number(process.env.SEALINK_SEED ?? Date.now() % 2 ** 31) });
});

test.run();
