// The SQLite store: the conformance suite, then what only a database file has
// (pragmas, the key check, group commit, tamper detection).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, StoreError, type Store } from '../../cloud/store/index.ts';
import { readingSql } from '../../cloud/store/sqlite.ts';
import type { CheckedQuery } from '../../cloud/store/validate.ts';
import { storeConformance } from './conformance.ts';
import { tempDir } from './support.ts';

storeConformance('sqlite', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'relay.db');
  const key = new Uint8Array(randomBytes(32));
  return {
    store: await openSqliteStore({ path, key }),
    reopen: () => openSqliteStore({ path, key }),
    cleanup: async () => tmp.remove(),
  };
}).run();

const t = suite('store sqlite');
const OWNER = 'did:key:z6MkOwnerAlice';
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e instanceof StoreError ? e.code : `${(e as Error).name}: ${(e as Error).message}`;
  }
}

async function withStore(fn: (path: string, key: Uint8Array, s: Store) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const path = join(tmp.dir, 'relay.db');
  const key = new Uint8Array(randomBytes(32));
  const s = await openSqliteStore({ path, key });
  try {
    await fn(path, key, s);
  } finally {
    await s.close();
    tmp.remove();
  }
}

t('WAL mode and synchronous=FULL', async () => {
  await withStore(async (path, _key, s) => {
    await s.createOwner({ did: OWNER, name: 'A', metadata: {}, createdAt: 1 });
    const raw = new Database(path, { readonly: true });
    assert.is(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    assert.ok(existsSync(`${path}-wal`));
  });
});

t('wrong storage key: STORE_KEY_MISMATCH and nothing changes', async () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'relay.db');
    const key = new Uint8Array(randomBytes(32));
    const s = await openSqliteStore({ path, key });
    await s.createOwner({ did: OWNER, name: 'A', metadata: {}, createdAt: 1 });
    await s.append({ device: 'did:key:d', epoch: 0, seq: 0, feed: 1, body: bytes(32), receivedAt: 1 });
    await s.close();
    const before = sha(path);
    const wrong = key.slice();
    wrong[31] ^= 1;
    assert.is(await code(openSqliteStore({ path, key: wrong })), 'STORE_KEY_MISMATCH');
    assert.is(await code(openSqliteStore({ path, key: new Uint8Array(32) })), 'STORE_KEY_MISMATCH');
    assert.is(sha(path), before, 'the database file is unchanged');
    assert.is(await code(openSqliteStore({ path, key: key.subarray(0, 16) })), 'RangeError: storage key: expected 32 bytes, got 16');
    const again = await openSqliteStore({ path, key });
    assert.is((await again.getOwner(OWNER))!.name, 'A');
    await again.close();
  } finally {
    tmp.remove();
  }
});

t('a database that is not a sealink store is refused', async () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'other.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    assert.is(await code(openSqliteStore({ path, key: bytes(32) })), 'STORE_CORRUPT');
    const junk = join(tmp.dir, 'junk.db');
    writeFileSync(junk, randomBytes(8192));
    assert.is(await code(openSqliteStore({ path: junk, key: bytes(32) })), 'STORE_CORRUPT');
    assert.is(await code(openSqliteStore({ path: join(tmp.dir, 'no', 'such', 'dir.db'), key: bytes(32) })), 'STORE_IO');
  } finally {
    tmp.remove();
  }
});

t('group commit: concurrent appends share transactions; each resolves after its commit', async () => {
  await withStore(async (_path, _key, s) => {
    const sq = s as Awaited<ReturnType<typeof openSqliteStore>>;
    const start = sq.stats();
    const n = 2000;
    const committedAtResolve: number[] = [];
    await Promise.all(Array.from({ length: n }, (_, i) =>
      s.append({ device: 'did:key:d', epoch: 0, seq: i, feed: 1, body: bytes(32), receivedAt: i })
        .then(() => committedAtResolve.push(sq.stats().writes))));
    const end = sq.stats();
    assert.is(end.writes - start.writes, n);
    assert.ok(end.commits - start.commits <= Math.ceil(n / 1024) + 1, `${end.commits - start.commits} commits for ${n} appends`);
    // A promise never resolves before the transaction carrying it committed.
    committedAtResolve.forEach((w, i) => assert.ok(w - start.writes >= i + 1));
  });
});

t('maxBatch bounds a transaction; commitDelayMs 0 commits on the next turn', async () => {
  const tmp = tempDir();
  try {
    const s = await openSqliteStore({ path: join(tmp.dir, 'r.db'), key: bytes(32), maxBatch: 100, commitDelayMs: 0 });
    await Promise.all(Array.from({ length: 450 }, (_, i) => s.append({ device: 'd', epoch: 0, seq: i, feed: 1, body: bytes(8), receivedAt: i })));
    assert.is(s.stats().commits, 5);
    await s.close();
  } finally {
    tmp.remove();
  }
});

t('tampering: a sealed value moved to another row fails to open (STORE_CORRUPT)', async () => {
  await withStore(async (path, _key, s) => {
    await s.createOwner({ did: OWNER, name: 'A', metadata: {}, createdAt: 1 });
    for (const i of [1, 2]) {
      await s.registerDevice({
        did: `did:key:dev${i}`, ed25519PublicKey: bytes(32), staticKey: bytes(32), devicePsk: bytes(32), owner: OWNER, registeredAt: 1,
      });
    }
    for (const seq of [1, 2]) await s.append({ device: 'did:key:dev1', epoch: 0, seq, feed: 1, body: bytes(16), receivedAt: seq });
    const raw = new Database(path);
    // Give device 1 the record of device 2 (e.g. to hand an attacker's PSK to a victim's DID).
    const recs = raw.prepare('SELECT ix, rec FROM devices').all() as { ix: Buffer; rec: Buffer }[];
    raw.prepare('UPDATE devices SET rec = ? WHERE ix = ?').run(recs[1].rec, recs[0].ix);
    // Swap the bodies of two readings.
    const rows = raw.prepare('SELECT seq, body FROM readings ORDER BY seq').all() as { seq: number; body: Buffer }[];
    raw.prepare('UPDATE readings SET body = ? WHERE seq = ?').run(rows[1].body, 1);
    raw.close();
    const errors = await Promise.all([s.getDevice('did:key:dev1'), s.getDevice('did:key:dev2')].map(code));
    assert.ok(errors.includes('STORE_CORRUPT'), String(errors));
    assert.is(await code(s.queryReadings({ device: 'did:key:dev1' })), 'STORE_CORRUPT');
  });
});

t('the queries use the indexes and never sort in a temp b-tree', async () => {
  await withStore(async (path, _key, s) => {
    await s.append({ device: 'd', epoch: 0, seq: 0, feed: 1, body: bytes(8), receivedAt: 0 });
    const raw = new Database(path, { readonly: true });
    const feedIx = Buffer.alloc(8);
    const plan = (q: Partial<CheckedQuery>) => {
      const { sql, args } = readingSql({ device: 'd', from: 0, to: 10, order: 'sequence', limit: 5, ...q }, 1, q.feed === undefined ? undefined : feedIx);
      return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
    };
    for (const q of [{}, { to: Number.MAX_SAFE_INTEGER }, { epoch: 3 }, { after: [1, 2] }, { epoch: 3, after: [3, 9], feed: 2 }]) {
      const p = plan(q);
      assert.match(p, /PRIMARY KEY/, `${JSON.stringify(q)}: ${p}`);
      assert.not.match(p, /TEMP B-TREE/, `${JSON.stringify(q)}: ${p}`);
    }
    for (const q of [{ order: 'received' as const }, { order: 'received' as const, after: [5, 1, 2], feed: 1 }, { order: 'received' as const, to: Number.MAX_SAFE_INTEGER }]) {
      const p = plan(q);
      assert.match(p, /readings_time/, p);
      assert.not.match(p, /TEMP B-TREE/, p);
    }
    raw.close();
  });
});

t.run();
