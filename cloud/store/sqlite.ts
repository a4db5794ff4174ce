// The embedded Store: one SQLite file through better-sqlite3 (major 12), WAL
// mode, synchronous=FULL, every revealing value sealed at rest (seal.ts).
//
// Group commit. Writes queue up; a flush runs every queued write in ONE
// transaction (BEGIN IMMEDIATE .. COMMIT, so one WAL fsync for the lot) at most
// `commitDelayMs` after the first write of a batch, or at once when `maxBatch`
// writes are waiting. A write's promise resolves only after that COMMIT
// returned, i.e. after the WAL was fsynced: that is when the relay may ACK.
// A write that fails alone (a conflict) rejects alone; multi-statement writes
// (consumeClaim) run in a SAVEPOINT so they apply whole or not at all. When the
// COMMIT itself fails, every write of the batch rejects with STORE_IO and none
// of them is stored.
//
// better-sqlite3 is synchronous, so a commit's fsync blocks the event loop for
// its duration (one fsync per batch, not per write). Reads run directly on the
// same connection between batches.
//
// Durability: with synchronous=FULL the WAL is fsynced at every commit, so an
// acknowledged write survives a process crash and a power loss. With 'normal'
// (an option) it survives a process crash but the last commits may be lost on
// power loss: only for deployments that accept that.
//
// What a stolen database file still shows (not sealed, by design):
//   - row counts and sizes: how many owners, claims, devices, streams, readings, wraps;
//   - blind indexes: which devices share an owner, which readings come from one
//     device (one stream per device) and which of its readings share a feed —
//     never the DIDs, keys, names or feed ids themselves;
//   - per reading its stream number, epoch, sequence and received-at time (ms),
//     which the ordered and time-range queries need in the clear (the relay
//     sees these headers in live traffic anyway: docs/readings.md).
//   Everything else (DIDs, keys, PSKs, claim records, names, metadata, feed
//   ids, counters, revocation, reading records, epoch records, wraps) is sealed.
//
// Schema (format 1):
//   meta(k TEXT PK, v BLOB)                    'format' = '1'; 'canary' = sealed known text
//   owners(ix PK, rec)                         ix = index('owner', did)
//   claims(ix PK, rec)                         ix = index('claim', claimId)
//   devices(ix PK, static_ix UNIQUE, owner_ix, rec)
//   streams(id INTEGER PK, ix UNIQUE, rec)                one per device: ix = index('stream', did)
//   readings(stream, epoch, seq, feed_ix, received_at, body)
//                                                         PK (stream, epoch, seq): idempotence and
//                                                         sequence order; index (stream, received_at)
//                                                         body = seal(feed(2) || record); feed_ix 8 bytes
//   epochs(stream, epoch, open, close)                    PK (stream, epoch); open/close sealed, NULL until stored
//   wraps(stream, epoch, reader_ix, rec)                  PK (stream, epoch, reader_ix)

import Database from 'better-sqlite3';
import { AtRest, u64be, writeU64be } from './seal.ts';
import {
  checkBytes, checkClaimId, checkConsume, checkCounterUpdate, checkDeviceUpdate, checkDid, checkEpochKey, checkEpochList,
  checkEpochRecord, checkNewClaim, checkNewDevice, checkOwner, checkQuery, checkReading, checkWrap, deviceRecord,
  sameBytes, type CheckedQuery,
} from './validate.ts';
import {
  advanceCounter, applyDeviceChanges, byDid, byReader, claimRefusal, consumed, readingPage, registrationRefusal,
} from './semantics.ts';
import { StoreBase } from './base.ts';
import {
  StoreError, type AppendResult, type ClaimRecord, type ClaimedDevice, type ConsumeResult, type DeviceRecord,
  type EpochKey, type EpochRecord, type Metadata, type NewDevice, type OwnerRecord, type Reading, type ReadingPage,
  type ReadingQuery, type Store, type WrapRecord,
} from './types.ts';

export interface SqliteStoreOptions {
  /** Database file (created when missing). Its -wal and -shm files sit beside it. */
  path: string;
  /** The 32-byte storage key (from the relay's key file). */
  key: Uint8Array;
  /** Longest wait between a batch's first write and its commit, ms. 0: commit on the next turn of the event loop. Default 2. */
  commitDelayMs?: number;
  /** Writes per transaction at most; a full batch commits at once. Default 1024. */
  maxBatch?: number;
  /** 'full' (default): durable on power loss. 'normal': durable on process crash only. */
  synchronous?: 'full' | 'normal';
}

export interface SqliteStoreStats {
  /** Transactions committed by the writer. */
  commits: number;
  /** Writes those transactions carried. */
  writes: number;
}

const FORMAT = '1';
const CANARY = 'sealink/1 store canary: the storage key opens this database';
const STREAM_CACHE_MAX = 65536;

const SCHEMA = `
CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE owners (ix BLOB PRIMARY KEY, rec BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE claims (ix BLOB PRIMARY KEY, rec BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE devices (ix BLOB PRIMARY KEY, static_ix BLOB NOT NULL UNIQUE, owner_ix BLOB NOT NULL, rec BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX devices_owner ON devices (owner_ix);
CREATE TABLE streams (id INTEGER PRIMARY KEY, ix BLOB NOT NULL UNIQUE, rec BLOB NOT NULL);
CREATE TABLE readings (stream INTEGER NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, feed_ix BLOB NOT NULL,
  received_at INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (stream, epoch, seq)) WITHOUT ROWID;
CREATE INDEX readings_time ON readings (stream, received_at);
CREATE TABLE epochs (stream INTEGER NOT NULL, epoch INTEGER NOT NULL, open BLOB, close BLOB,
  PRIMARY KEY (stream, epoch)) WITHOUT ROWID;
CREATE TABLE wraps (stream INTEGER NOT NULL, epoch INTEGER NOT NULL, reader_ix BLOB NOT NULL, rec BLOB NOT NULL,
  PRIMARY KEY (stream, epoch, reader_ix)) WITHOUT ROWID;
`;

/** Open (or create) the store at `options.path`. Rejects STORE_KEY_MISMATCH, changing nothing, when the key is not this database's. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(options);
}

interface Job {
  run: () => unknown;
  atomic: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface StreamRef { id: number; ix: Buffer }

/** Per device: its stream's blind index and its feeds' (pure functions of the key). */
interface StreamKeys { ix: Buffer; feeds: Map<number, Buffer> }

const FEED_IX_BYTES = 8;

type Row = Record<string, unknown>;

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: unknown): Uint8Array => {
  if (typeof s !== 'string') throw new TypeError('not base64');
  return new Uint8Array(Buffer.from(s, 'base64'));
};

export class SqliteStore extends StoreBase implements Store {
  private readonly db: Database.Database;
  private readonly at: AtRest;
  private readonly delay: number;
  private readonly maxBatch: number;
  private readonly st: Record<string, Database.Statement>;
  private readonly batchTx: Database.Transaction<(batch: Job[], out: { errors: number }) => void>;
  private readonly savepoint: (fn: () => unknown) => unknown;
  private readonly streams = new Map<string, StreamRef>(); // device -> stream id (cleared when a batch fails)
  private readonly streamKeys = new Map<string, StreamKeys>(); // device -> blind indexes
  private readonly queries = new Map<string, Database.Statement>();
  private readonly readingPrefix: Buffer;
  private queue: Job[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private readonly counts: SqliteStoreStats = { commits: 0, writes: 0 };

  static open(options: SqliteStoreOptions): SqliteStore {
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('options.path: expected a file path');
    const at = new AtRest(options.key);
    const delay = options.commitDelayMs ?? 2;
    const maxBatch = options.maxBatch ?? 1024;
    if (!Number.isFinite(delay) || delay < 0) throw new RangeError('options.commitDelayMs: expected >= 0');
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('options.maxBatch: expected an integer >= 1');
    const sync = options.synchronous ?? 'full';
    if (sync !== 'full' && sync !== 'normal') throw new RangeError("options.synchronous: expected 'full' or 'normal'");

    let db: Database.Database;
    try {
      db = new Database(options.path);
    } catch (e) {
      at.wipe();
      throw new StoreError('STORE_IO', `cannot open the database: ${(e as Error).message}`, { cause: e });
    }
    try {
      db.pragma('busy_timeout = 5000');
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
      if (hasMeta) {
        // Check the key before anything is written.
        const canary = db.prepare("SELECT v FROM meta WHERE k = 'canary'").get() as { v: Buffer } | undefined;
        const format = db.prepare("SELECT v FROM meta WHERE k = 'format'").get() as { v: Buffer } | undefined;
        if (canary === undefined || format === undefined) throw new StoreError('STORE_CORRUPT', 'not a sealink store (no canary)');
        if (Buffer.from(format.v).toString() !== FORMAT) throw new StoreError('STORE_CORRUPT', `unknown store format ${String(format.v)}`);
        let text: string;
        try {
          text = at.open(at.aad('meta.canary'), canary.v, 'canary').toString('utf8');
        } catch {
          throw new StoreError('STORE_KEY_MISMATCH', 'the storage key does not open this database');
        }
        if (text !== CANARY) throw new StoreError('STORE_KEY_MISMATCH', 'the storage key does not open this database');
      } else {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
        if (tables.n !== 0) throw new StoreError('STORE_CORRUPT', 'not a sealink store (foreign tables)');
      }
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${sync.toUpperCase()}`);
      if (!hasMeta) {
        db.transaction(() => {
          db.exec(SCHEMA);
          db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run('format', Buffer.from(FORMAT));
          db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run('canary', at.seal(at.aad('meta.canary'), Buffer.from(CANARY)));
        }).immediate();
      }
      return new SqliteStore(db, at, delay, maxBatch);
    } catch (e) {
      db.close();
      at.wipe();
      if (e instanceof StoreError) throw e;
      const sqliteCode = (e as { code?: unknown }).code;
      if (sqliteCode === 'SQLITE_NOTADB' || sqliteCode === 'SQLITE_CORRUPT') {
        throw new StoreError('STORE_CORRUPT', 'not a sealink store (not a database)', { cause: e });
      }
      throw new StoreError('STORE_IO', `cannot open the database: ${(e as Error).message}`, { cause: e });
    }
  }

  private constructor(db: Database.Database, at: AtRest, delay: number, maxBatch: number) {
    super();
    this.db = db;
    this.at = at;
    this.delay = delay;
    this.maxBatch = maxBatch;
    this.readingPrefix = at.aad('readings.body');
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      ownerGet: p('SELECT rec FROM owners WHERE ix = ?'),
      ownerPut: p('INSERT INTO owners (ix, rec) VALUES (?, ?)'),
      claimGet: p('SELECT rec FROM claims WHERE ix = ?'),
      claimPut: p('INSERT INTO claims (ix, rec) VALUES (?, ?)'),
      claimSet: p('UPDATE claims SET rec = ? WHERE ix = ?'),
      deviceGet: p('SELECT ix, rec FROM devices WHERE ix = ?'),
      deviceByStatic: p('SELECT ix, rec FROM devices WHERE static_ix = ?'),
      deviceByOwner: p('SELECT ix, rec FROM devices WHERE owner_ix = ?'),
      devicePut: p('INSERT INTO devices (ix, static_ix, owner_ix, rec) VALUES (?, ?, ?, ?)'),
      deviceReplace: p('UPDATE devices SET static_ix = ?, owner_ix = ?, rec = ? WHERE ix = ?'),
      deviceSet: p('UPDATE devices SET rec = ? WHERE ix = ?'),
      streamGet: p('SELECT id FROM streams WHERE ix = ?'),
      streamPut: p('INSERT INTO streams (ix, rec) VALUES (?, ?)'),
      readingPut: p('INSERT OR IGNORE INTO readings (stream, epoch, seq, feed_ix, received_at, body) VALUES (?, ?, ?, ?, ?, ?)'),
      epochOpen: p('INSERT INTO epochs (stream, epoch, open) VALUES (?, ?, ?) '
        + 'ON CONFLICT (stream, epoch) DO UPDATE SET open = excluded.open WHERE epochs.open IS NULL'),
      epochClose: p('INSERT INTO epochs (stream, epoch, close) VALUES (?, ?, ?) '
        + 'ON CONFLICT (stream, epoch) DO UPDATE SET close = excluded.close WHERE epochs.close IS NULL'),
      epochTouch: p('INSERT OR IGNORE INTO epochs (stream, epoch) VALUES (?, ?)'),
      epochGet: p('SELECT epoch, open, close FROM epochs WHERE stream = ? AND epoch = ?'),
      epochList: p('SELECT epoch, open, close FROM epochs WHERE stream = ? AND epoch >= ? ORDER BY epoch LIMIT ?'),
      wrapsRange: p('SELECT epoch, reader_ix, rec FROM wraps WHERE stream = ? AND epoch BETWEEN ? AND ?'),
      wrapPut: p('INSERT INTO wraps (stream, epoch, reader_ix, rec) VALUES (?, ?, ?, ?) '
        + 'ON CONFLICT (stream, epoch, reader_ix) DO UPDATE SET rec = excluded.rec'),
      wrapsGet: p('SELECT reader_ix, rec FROM wraps WHERE stream = ? AND epoch = ?'),
    };

    this.savepoint = db.transaction((fn: () => unknown) => fn());
    this.batchTx = db.transaction((batch: Job[], out: { errors: number }) => {
      for (const job of batch) {
        try {
          job.resolve = settle(job.resolve, job.atomic ? this.savepoint(job.run) : job.run());
        } catch (e) {
          // SQLite rolled the whole transaction back (disk full, I/O): fail the batch.
          if (!db.inTransaction) throw e;
          out.errors++;
          job.resolve = fail(job.reject, e);
        }
      }
    });
  }

  /** Writer counters (tests and metrics). */
  stats(): SqliteStoreStats {
    return { ...this.counts };
  }

  // ---- owners ----

  async createOwner(owner: OwnerRecord): Promise<void> {
    this.open();
    const o = checkOwner(owner);
    const ix = this.at.index('owner', o.did);
    const rec = this.at.seal(this.at.aad('owners.rec', ix), json({ did: o.did, name: o.name, meta: o.metadata, at: o.createdAt }));
    return this.write(false, () => {
      if (this.st.ownerGet.get(ix) !== undefined) throw new StoreError('STORE_CONFLICT', 'owner exists');
      this.st.ownerPut.run(ix, rec);
    });
  }

  async getOwner(did: string): Promise<OwnerRecord | undefined> {
    this.open();
    const ix = this.at.index('owner', checkDid('did', did));
    const row = this.st.ownerGet.get(ix) as Row | undefined;
    if (row === undefined) return undefined;
    const r = this.record(this.at.aad('owners.rec', ix), row.rec, 'owner');
    if (r.did !== did) throw corrupt('owner');
    return { did: r.did as string, name: r.name as string, metadata: r.meta as Metadata, createdAt: r.at as number };
  }

  // ---- claims ----

  async createClaim(claim: Omit<ClaimRecord, 'used'>): Promise<void> {
    this.open();
    const c = checkNewClaim(claim);
    const ix = this.at.index('claim', c.claimId);
    const rec = this.sealClaim(ix, { ...c, used: false });
    const ownerIx = this.at.index('owner', c.owner);
    return this.write(false, () => {
      if (this.st.ownerGet.get(ownerIx) === undefined) throw new StoreError('STORE_UNKNOWN_OWNER', 'claim owner is not a stored owner');
      if (this.st.claimGet.get(ix) !== undefined) throw new StoreError('STORE_CONFLICT', 'claim id exists');
      this.st.claimPut.run(ix, rec);
    });
  }

  async getClaim(claimId: Uint8Array): Promise<ClaimRecord | undefined> {
    this.open();
    const id = checkClaimId(claimId);
    return this.readClaim(id, this.at.index('claim', id));
  }

  async consumeClaim(claimId: Uint8Array, options: { now?: number; register?: ClaimedDevice } = {}): Promise<ConsumeResult> {
    this.open();
    const { id, now, register: reg } = checkConsume(claimId, options);
    const ix = this.at.index('claim', id);
    return this.write(true, (): ConsumeResult => {
      const claim = this.readClaim(id, ix);
      const refused = claimRefusal(claim, now); // 'unknown' when claim is undefined
      if (refused !== undefined || claim === undefined) return refused!;
      let device: DeviceRecord | undefined;
      if (reg !== undefined) {
        const devIx = this.at.index('device', reg.did);
        const existing = this.readDevice(this.st.deviceGet.get(devIx) as Row | undefined);
        const staticIx = this.at.index('static', reg.staticKey);
        const other = this.st.deviceByStatic.get(staticIx) as Row | undefined;
        const denied = registrationRefusal(existing, other !== undefined && !devIx.equals(other.ix as Buffer));
        if (denied !== undefined) return denied;
        device = deviceRecord({ ...reg, owner: claim.owner });
        const rec = this.sealDevice(devIx, device);
        if (existing === undefined) this.st.devicePut.run(devIx, staticIx, this.at.index('owner', claim.owner), rec);
        else this.st.deviceReplace.run(staticIx, this.at.index('owner', claim.owner), rec, devIx);
      }
      claim.used = true;
      this.st.claimSet.run(this.sealClaim(ix, claim), ix);
      return consumed(claim, device);
    });
  }

  // ---- devices ----

  async registerDevice(device: NewDevice): Promise<void> {
    this.open();
    const d = deviceRecord(checkNewDevice(device));
    const ix = this.at.index('device', d.did);
    const staticIx = this.at.index('static', d.staticKey);
    const ownerIx = this.at.index('owner', d.owner);
    const rec = this.sealDevice(ix, d);
    return this.write(false, () => {
      if (this.st.ownerGet.get(ownerIx) === undefined) throw new StoreError('STORE_UNKNOWN_OWNER', 'device owner is not a stored owner');
      if (this.st.deviceGet.get(ix) !== undefined) throw new StoreError('STORE_CONFLICT', 'device exists');
      if (this.st.deviceByStatic.get(staticIx) !== undefined) throw new StoreError('STORE_CONFLICT', 'another device has this static key');
      this.st.devicePut.run(ix, staticIx, ownerIx, rec);
    });
  }

  async getDevice(did: string): Promise<DeviceRecord | undefined> {
    this.open();
    const d = this.readDevice(this.st.deviceGet.get(this.at.index('device', checkDid('did', did))) as Row | undefined);
    if (d !== undefined && d.did !== did) throw corrupt('device');
    return d;
  }

  async deviceByStatic(staticKey: Uint8Array): Promise<DeviceRecord | undefined> {
    this.open();
    const key = checkBytes('staticKey', staticKey, 32);
    const d = this.readDevice(this.st.deviceByStatic.get(this.at.index('static', key)) as Row | undefined);
    if (d !== undefined && !sameBytes(d.staticKey, key)) throw corrupt('device');
    return d;
  }

  async listDevicesByOwner(owner: string): Promise<DeviceRecord[]> {
    this.open();
    const rows = this.st.deviceByOwner.all(this.at.index('owner', checkDid('owner', owner))) as Row[];
    const out = rows.map((r) => this.readDevice(r)!);
    if (out.some((d) => d.owner !== owner)) throw corrupt('device');
    return out.sort(byDid);
  }

  async updateDevice(did: string, changes: { name?: string; metadata?: Metadata }): Promise<boolean> {
    this.open();
    const c = checkDeviceUpdate(did, changes);
    return this.changeDevice(c.did, (d) => applyDeviceChanges(d, c.changes));
  }

  async revokeDevice(did: string): Promise<boolean> {
    this.open();
    checkDid('did', did);
    return this.changeDevice(did, (d) => {
      d.revoked = true;
      return true;
    });
  }

  async updateCounter(did: string, counter: bigint): Promise<boolean> {
    this.open();
    const c = checkCounterUpdate(did, counter);
    return this.changeDevice(c.did, (d) => advanceCounter(d, c.counter));
  }

  // ---- readings ----

  async append(reading: Reading): Promise<AppendResult> {
    this.open();
    const r = checkReading(reading);
    // Seal now, outside the transaction: the AAD needs only blind indexes.
    const keys = this.streamKeys_(r.device);
    const feedIx = this.feedIx(keys, r.feed);
    const plain = Buffer.allocUnsafe(2 + r.body.length);
    plain.writeUInt16BE(r.feed, 0);
    plain.set(r.body, 2);
    const body = this.at.seal(this.readingAad(keys.ix, r.epoch, r.seq, feedIx, r.receivedAt), plain);
    return this.write(false, () => {
      const s = this.stream(r.device, true)!;
      return this.st.readingPut.run(s.id, r.epoch, r.seq, feedIx, r.receivedAt, body).changes === 1 ? 'stored' : 'duplicate';
    });
  }

  async queryReadings(query: ReadingQuery): Promise<ReadingPage> {
    this.open();
    const q = checkQuery(query);
    const s = this.stream(q.device, false);
    if (s === undefined) return { readings: [] };
    const { sql, args } = readingSql(q, s.id, q.feed === undefined ? undefined : this.feedIx(this.streamKeys_(q.device), q.feed));
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    // At most q.limit + 1 rows (readingSql), matching and in order: the SQL applies the query.
    const rows = stmt.all(...args) as { epoch: number; seq: number; feed_ix: Buffer; received_at: number; body: Buffer }[];
    return readingPage(q, rows, (row): Reading => {
      const aad = this.readingAad(s.ix, row.epoch, row.seq, row.feed_ix, row.received_at);
      const plain = this.at.open(aad, row.body, 'reading');
      if (plain.length < 3) throw corrupt('reading');
      return {
        device: q.device, epoch: row.epoch, seq: row.seq, feed: plain.readUInt16BE(0),
        body: new Uint8Array(plain.subarray(2)), receivedAt: row.received_at,
      };
    });
  }

  // ---- epochs ----

  async putWrap(key: EpochKey, reader: string, wrap: Uint8Array): Promise<void> {
    this.open();
    const { key: k, reader: r, wrap: w } = checkWrap(key, reader, wrap);
    const streamIx = this.streamKeys_(k.device).ix;
    const readerIx = this.at.index('reader', streamIx, r);
    const rec = this.at.seal(this.at.aad('wraps.rec', streamIx, u64be(k.epoch), readerIx), json({ reader: r, wrap: b64(w) }));
    return this.write(false, () => {
      const s = this.stream(k.device, true)!;
      this.st.epochTouch.run(s.id, k.epoch);
      this.st.wrapPut.run(s.id, k.epoch, readerIx, rec);
    });
  }

  async getEpoch(key: EpochKey): Promise<EpochRecord | undefined> {
    this.open();
    const k = checkEpochKey(key);
    const s = this.stream(k.device, false);
    if (s === undefined) return undefined;
    const row = this.st.epochGet.get(s.id, k.epoch) as EpochRow | undefined;
    return row === undefined ? undefined : this.epochs(k.device, s, [row])[0];
  }

  async listEpochs(device: string, options: { from?: number; limit?: number } = {}): Promise<EpochRecord[]> {
    this.open();
    const o = checkEpochList(device, options);
    const s = this.stream(o.device, false);
    if (s === undefined) return [];
    return this.epochs(o.device, s, this.st.epochList.all(s.id, o.from, o.limit) as EpochRow[]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.db.close();
    this.at.wipe();
    this.streams.clear();
    for (const k of this.streamKeys.values()) {
      k.ix.fill(0);
      for (const f of k.feeds.values()) f.fill(0);
    }
    this.streamKeys.clear();
  }

  // ---- the writer ----

  private write<T>(atomic: boolean, run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, atomic, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) {
        if (this.immediate === undefined) this.immediate = setImmediate(() => this.flush());
      } else if (this.timer === undefined && this.immediate === undefined) {
        if (this.delay === 0) this.immediate = setImmediate(() => this.flush());
        else this.timer = setTimeout(() => this.flush(), this.delay);
      }
    });
  }

  /** Commit everything queued, maxBatch writes per transaction. */
  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
      this.commit(batch);
    }
  }

  private commit(batch: Job[]): void {
    const out = { errors: 0 };
    try {
      this.batchTx.immediate(batch, out);
    } catch (e) {
      this.streams.clear(); // ids cached during the batch may not exist
      const err = new StoreError('STORE_IO', 'the database failed to commit; nothing of this batch was stored', { cause: e });
      for (const job of batch) job.reject(err);
      return;
    }
    if (out.errors > 0) this.streams.clear(); // a rolled-back savepoint may have made a stream
    this.counts.commits++;
    this.counts.writes += batch.length;
    // Committed: now settle (batchTx replaced each resolve with its settlement).
    for (const job of batch) job.resolve(undefined);
  }

  // ---- helpers ----

  /** AAD of a reading: at.aad('readings.body', streamIx, u64be(epoch), u64be(seq), feedIx, u64be(receivedAt)), in one allocation. */
  private readingAad(streamIx: Buffer, epoch: number, seq: number, feedIx: Buffer, receivedAt: number): Buffer {
    const prefix = this.readingPrefix;
    const b = Buffer.allocUnsafe(prefix.length + streamIx.length + 16 + feedIx.length + 8);
    prefix.copy(b, 0);
    streamIx.copy(b, prefix.length);
    let o = prefix.length + streamIx.length;
    writeU64be(b, o, epoch);
    writeU64be(b, o + 8, seq);
    o += 16;
    feedIx.copy(b, o);
    writeU64be(b, o + feedIx.length, receivedAt);
    return b;
  }

  /** Blind indexes of the device's stream, cached: one HMAC per device, not per reading. */
  private streamKeys_(device: string): StreamKeys {
    let keys = this.streamKeys.get(device);
    if (keys === undefined) {
      keys = { ix: this.at.index('stream', device), feeds: new Map() };
      if (this.streamKeys.size >= STREAM_CACHE_MAX) this.streamKeys.clear();
      this.streamKeys.set(device, keys);
    }
    return keys;
  }

  /** Blind index of a feed within a device's stream (8 bytes: unique among one device's 2^16 feeds). */
  private feedIx(keys: StreamKeys, feed: number): Buffer {
    let ix = keys.feeds.get(feed);
    if (ix === undefined) {
      const f = Buffer.allocUnsafe(2);
      f.writeUInt16BE(feed, 0);
      ix = this.at.index('feed', keys.ix, f).subarray(0, FEED_IX_BYTES);
      keys.feeds.set(feed, ix);
    }
    return ix;
  }

  /** The device's stream, made when `create`. Inside a write or between writes only. */
  private stream(device: string, create: boolean): StreamRef | undefined {
    const cached = this.streams.get(device);
    if (cached !== undefined) return cached;
    const ix = this.streamKeys_(device).ix;
    const row = this.st.streamGet.get(ix) as { id: number } | undefined;
    let id: number;
    if (row !== undefined) id = row.id;
    else if (!create) return undefined;
    else {
      const rec = this.at.seal(this.at.aad('streams.rec', ix), json({ device }));
      id = Number(this.st.streamPut.run(ix, rec).lastInsertRowid);
    }
    if (this.streams.size >= STREAM_CACHE_MAX) this.streams.clear();
    const ref = { id, ix };
    this.streams.set(device, ref);
    return ref;
  }

  protected epochRecord(key: EpochKey, which: 'open' | 'close', record: Uint8Array): Promise<AppendResult> {
    this.open();
    const { key: k, record: r } = checkEpochRecord(key, record);
    const streamIx = this.streamKeys_(k.device).ix;
    const sealed = this.at.seal(this.at.aad(`epochs.${which}`, streamIx, u64be(k.epoch)), r);
    const stmt = which === 'open' ? this.st.epochOpen : this.st.epochClose;
    return this.write(false, () => {
      const s = this.stream(k.device, true)!;
      return stmt.run(s.id, k.epoch, sealed).changes === 1 ? 'stored' : 'duplicate';
    });
  }

  /** Epoch records of `rows` (one stream) with their wraps. */
  private epochs(device: string, s: StreamRef, rows: EpochRow[]): EpochRecord[] {
    if (rows.length === 0) return [];
    const wraps = new Map<number, WrapRecord[]>();
    const wrapRows = this.st.wrapsRange.all(s.id, rows[0].epoch, rows[rows.length - 1].epoch) as Row[];
    for (const w of wrapRows) {
      const epoch = w.epoch as number;
      const r = this.record(this.at.aad('wraps.rec', s.ix, u64be(epoch), w.reader_ix as Buffer), w.rec, 'wrap');
      const list = wraps.get(epoch) ?? [];
      list.push({ reader: r.reader as string, wrap: unb64(r.wrap) });
      wraps.set(epoch, list);
    }
    return rows.map((row) => {
      const e: EpochRecord = { device, epoch: row.epoch, wraps: (wraps.get(row.epoch) ?? []).sort(byReader) };
      if (row.open !== null) e.open = new Uint8Array(this.at.open(this.at.aad('epochs.open', s.ix, u64be(row.epoch)), row.open, 'epoch open'));
      if (row.close !== null) e.close = new Uint8Array(this.at.open(this.at.aad('epochs.close', s.ix, u64be(row.epoch)), row.close, 'epoch close'));
      return e;
    });
  }

  private record(aad: Buffer, sealed: unknown, what: string): Row {
    const pt = this.at.open(aad, sealed as Uint8Array, what);
    try {
      return JSON.parse(pt.toString('utf8')) as Row;
    } catch {
      throw corrupt(what);
    } finally {
      pt.fill(0);
    }
  }

  private sealClaim(ix: Buffer, c: ClaimRecord): Buffer {
    return this.at.seal(this.at.aad('claims.rec', ix),
      json({ id: b64(c.claimId), psk: b64(c.claimPsk), exp: c.expiresAt, used: c.used, owner: c.owner }));
  }

  private readClaim(id: Uint8Array, ix: Buffer): ClaimRecord | undefined {
    const row = this.st.claimGet.get(ix) as Row | undefined;
    if (row === undefined) return undefined;
    const r = this.record(this.at.aad('claims.rec', ix), row.rec, 'claim');
    const claim: ClaimRecord = { claimId: unb64(r.id), claimPsk: unb64(r.psk), expiresAt: r.exp as number, used: r.used as boolean, owner: r.owner as string };
    if (!sameBytes(claim.claimId, id)) throw corrupt('claim');
    return claim;
  }

  private sealDevice(ix: Buffer, d: DeviceRecord): Buffer {
    return this.at.seal(this.at.aad('devices.rec', ix), json({
      did: d.did, ed: b64(d.ed25519PublicKey), st: b64(d.staticKey), psk: b64(d.devicePsk), owner: d.owner,
      name: d.name, meta: d.metadata, at: d.registeredAt, ctr: d.lastCounter.toString(), rev: d.revoked,
    }));
  }

  private readDevice(row: Row | undefined): DeviceRecord | undefined {
    if (row === undefined) return undefined;
    const r = this.record(this.at.aad('devices.rec', row.ix as Buffer), row.rec, 'device');
    return {
      did: r.did as string, ed25519PublicKey: unb64(r.ed), staticKey: unb64(r.st), devicePsk: unb64(r.psk),
      owner: r.owner as string, name: r.name as string, metadata: r.meta as Metadata, registeredAt: r.at as number,
      lastCounter: BigInt(r.ctr as string), revoked: r.rev as boolean,
    };
  }

  /** Read-modify-write one device record inside a write. */
  private changeDevice(did: string, change: (d: DeviceRecord) => boolean): Promise<boolean> {
    const ix = this.at.index('device', did);
    return this.write(false, () => {
      const d = this.readDevice(this.st.deviceGet.get(ix) as Row | undefined);
      if (d === undefined) return false;
      if (d.did !== did) throw corrupt('device');
      if (!change(d)) return false;
      this.st.deviceSet.run(this.sealDevice(ix, d), ix);
      return true;
    });
  }
}

interface EpochRow { epoch: number; open: Buffer | null; close: Buffer | null }

/** SQL and arguments of a reading query (statements are cached by their SQL). Exported for the query-plan test. */
export function readingSql(q: CheckedQuery, stream: number, feedIx: Buffer | undefined): { sql: string; args: unknown[] } {
  const cols = q.order === 'sequence' ? ['epoch', 'seq'] : ['received_at', 'epoch', 'seq'];
  let sql = 'SELECT epoch, seq, feed_ix, received_at, body FROM readings WHERE stream = ?';
  const args: unknown[] = [stream];
  if (q.epoch !== undefined) {
    sql += ' AND epoch = ?';
    args.push(q.epoch);
  }
  if (q.after !== undefined) {
    sql += ` AND (${cols.join(', ')}) > (${cols.map(() => '?').join(', ')})`;
    args.push(...q.after);
  }
  if (q.from > 0 || q.to < Number.MAX_SAFE_INTEGER) {
    // In sequence order the primary key gives the order: `+received_at` keeps the planner from
    // trading it for the time index and a sort (order 'received' is the one for narrow windows).
    sql += q.order === 'sequence' ? ' AND +received_at >= ? AND +received_at < ?' : ' AND received_at >= ? AND received_at < ?';
    args.push(q.from, q.to);
  }
  if (feedIx !== undefined) {
    sql += ' AND feed_ix = ?';
    args.push(feedIx);
  }
  sql += ` ORDER BY ${cols.join(', ')} LIMIT ?`;
  args.push(q.limit + 1);
  return { sql, args };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function corrupt(what: string): StoreError {
  return new StoreError('STORE_CORRUPT', `stored ${what} does not match its row (tampered or corrupt)`);
}

/** A resolve that, once the batch committed, settles with `value`. */
function settle(resolve: (v: unknown) => void, value: unknown): (v: unknown) => void {
  return () => resolve(value);
}

/** A resolve that, once the batch committed, rejects with `error`. */
function fail(reject: (e: unknown) => void, error: unknown): (v: unknown) => void {
  return () => reject(error);
}
