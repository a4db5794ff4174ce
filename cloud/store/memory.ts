// In-memory Store: tests, simulations and single-process demos. Same semantics
// as the SQLite store (the conformance suite runs against both) except
// durability: a write is "committed" the moment it is applied.

import {
  checkBytes, checkClaimId, checkConsume, checkCounterUpdate, checkDeviceUpdate, checkDid, checkEpochKey, checkEpochList,
  checkEpochRecord, checkNewClaim, checkNewDevice, checkOwner, checkQuery, checkReading, checkWrap, copyBytes, copyClaim,
  copyDevice, copyOwner, copyReading, deviceRecord,
} from './validate.ts';
import {
  advanceCounter, applyDeviceChanges, byDid, byReader, claimRefusal, consumed, readingMatches, readingOrder, readingPage,
  registrationRefusal,
} from './semantics.ts';
import { StoreBase } from './base.ts';
import {
  StoreError, type AppendResult, type ClaimRecord, type ClaimedDevice, type ConsumeResult, type DeviceRecord,
  type EpochKey, type EpochRecord, type Metadata, type NewDevice, type OwnerRecord, type Reading, type ReadingPage,
  type ReadingQuery, type Store,
} from './types.ts';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface Epoch { open?: Uint8Array; close?: Uint8Array; wraps: Map<string, Uint8Array> }
interface Log { readings: Map<string, Reading>; epochs: Map<number, Epoch> }

function epochOut(k: EpochKey, e: Epoch): EpochRecord {
  const out: EpochRecord = { ...k, wraps: [...e.wraps].map(([reader, w]) => ({ reader, wrap: copyBytes(w) })).sort(byReader) };
  if (e.open !== undefined) out.open = copyBytes(e.open);
  if (e.close !== undefined) out.close = copyBytes(e.close);
  return out;
}

export class MemoryStore extends StoreBase implements Store {
  private readonly owners = new Map<string, OwnerRecord>();
  private readonly claims = new Map<string, ClaimRecord>(); // claim id hex
  private readonly devices = new Map<string, DeviceRecord>(); // did
  private readonly byStatic = new Map<string, string>(); // static hex -> did
  private readonly logs = new Map<string, Log>(); // device did -> its records

  // ---- owners ----

  async createOwner(owner: OwnerRecord): Promise<void> {
    this.open();
    const o = checkOwner(owner);
    if (this.owners.has(o.did)) throw new StoreError('STORE_CONFLICT', 'owner exists');
    this.owners.set(o.did, o);
  }

  async getOwner(did: string): Promise<OwnerRecord | undefined> {
    this.open();
    const o = this.owners.get(checkDid('did', did));
    return o && copyOwner(o);
  }

  // ---- claims ----

  async createClaim(claim: Omit<ClaimRecord, 'used'>): Promise<void> {
    this.open();
    const c = checkNewClaim(claim);
    if (!this.owners.has(c.owner)) throw new StoreError('STORE_UNKNOWN_OWNER', 'claim owner is not a stored owner');
    const key = hex(c.claimId);
    if (this.claims.has(key)) throw new StoreError('STORE_CONFLICT', 'claim id exists');
    this.claims.set(key, { ...c, used: false });
  }

  async getClaim(claimId: Uint8Array): Promise<ClaimRecord | undefined> {
    this.open();
    const c = this.claims.get(hex(checkClaimId(claimId)));
    return c && copyClaim(c);
  }

  async consumeClaim(claimId: Uint8Array, options: { now?: number; register?: ClaimedDevice } = {}): Promise<ConsumeResult> {
    this.open();
    const { id, now, register: reg } = checkConsume(claimId, options);
    const claim = this.claims.get(hex(id));
    const refused = claimRefusal(claim, now); // 'unknown' when claim is undefined
    if (refused !== undefined || claim === undefined) return refused!;
    let device: DeviceRecord | undefined;
    if (reg !== undefined) {
      const existing = this.devices.get(reg.did);
      const other = this.byStatic.get(hex(reg.staticKey));
      const denied = registrationRefusal(existing, other !== undefined && other !== reg.did);
      if (denied !== undefined) return denied;
      if (existing !== undefined) this.byStatic.delete(hex(existing.staticKey));
      device = deviceRecord({ ...reg, owner: claim.owner });
      this.devices.set(device.did, device);
      this.byStatic.set(hex(device.staticKey), device.did);
    }
    claim.used = true;
    return consumed(copyClaim(claim), device && copyDevice(device));
  }

  // ---- devices ----

  async registerDevice(device: NewDevice): Promise<void> {
    this.open();
    const d = checkNewDevice(device);
    if (!this.owners.has(d.owner)) throw new StoreError('STORE_UNKNOWN_OWNER', 'device owner is not a stored owner');
    if (this.devices.has(d.did)) throw new StoreError('STORE_CONFLICT', 'device exists');
    if (this.byStatic.has(hex(d.staticKey))) throw new StoreError('STORE_CONFLICT', 'another device has this static key');
    this.devices.set(d.did, deviceRecord(d));
    this.byStatic.set(hex(d.staticKey), d.did);
  }

  async getDevice(did: string): Promise<DeviceRecord | undefined> {
    this.open();
    const d = this.devices.get(checkDid('did', did));
    return d && copyDevice(d);
  }

  async deviceByStatic(staticKey: Uint8Array): Promise<DeviceRecord | undefined> {
    this.open();
    const did = this.byStatic.get(hex(checkBytes('staticKey', staticKey, 32)));
    return did === undefined ? undefined : copyDevice(this.devices.get(did)!);
  }

  async listDevicesByOwner(owner: string): Promise<DeviceRecord[]> {
    this.open();
    checkDid('owner', owner);
    return [...this.devices.values()].filter((d) => d.owner === owner).sort(byDid).map(copyDevice);
  }

  async updateDevice(did: string, changes: { name?: string; metadata?: Metadata }): Promise<boolean> {
    this.open();
    const c = checkDeviceUpdate(did, changes);
    const d = this.devices.get(c.did);
    return d !== undefined && applyDeviceChanges(d, c.changes);
  }

  async revokeDevice(did: string): Promise<boolean> {
    this.open();
    const d = this.devices.get(checkDid('did', did));
    if (d === undefined) return false;
    d.revoked = true;
    return true;
  }

  async updateCounter(did: string, counter: bigint): Promise<boolean> {
    this.open();
    const c = checkCounterUpdate(did, counter);
    const d = this.devices.get(c.did);
    return d !== undefined && advanceCounter(d, c.counter);
  }

  // ---- readings ----

  async append(reading: Reading): Promise<AppendResult> {
    this.open();
    const r = checkReading(reading);
    const log = this.log(r.device, true)!;
    const key = `${r.epoch}.${r.seq}`;
    if (log.readings.has(key)) return 'duplicate';
    log.readings.set(key, r);
    return 'stored';
  }

  async queryReadings(query: ReadingQuery): Promise<ReadingPage> {
    this.open();
    const q = checkQuery(query);
    const log = this.log(q.device, false);
    if (log === undefined) return { readings: [] };
    const hits = [...log.readings.values()].filter((r) => readingMatches(q, r)).sort(readingOrder(q));
    return readingPage(q, hits, copyReading);
  }

  // ---- epochs ----

  async putWrap(key: EpochKey, reader: string, wrap: Uint8Array): Promise<void> {
    this.open();
    const w = checkWrap(key, reader, wrap);
    this.epoch(w.key, true)!.wraps.set(w.reader, w.wrap);
  }

  async getEpoch(key: EpochKey): Promise<EpochRecord | undefined> {
    this.open();
    const k = checkEpochKey(key);
    const e = this.epoch(k, false);
    return e === undefined ? undefined : epochOut(k, e);
  }

  async listEpochs(device: string, options: { from?: number; limit?: number } = {}): Promise<EpochRecord[]> {
    this.open();
    const o = checkEpochList(device, options);
    const log = this.log(o.device, false);
    if (log === undefined) return [];
    return [...log.epochs].filter(([n]) => n >= o.from).sort((a, b) => a[0] - b[0]).slice(0, o.limit)
      .map(([epoch, e]) => epochOut({ device: o.device, epoch }, e));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private log(device: string, create: boolean): Log | undefined {
    let log = this.logs.get(device);
    if (log === undefined && create) {
      log = { readings: new Map(), epochs: new Map() };
      this.logs.set(device, log);
    }
    return log;
  }

  private epoch(k: EpochKey, create: boolean): Epoch | undefined {
    const log = this.log(k.device, create);
    if (log === undefined) return undefined;
    let e = log.epochs.get(k.epoch);
    if (e === undefined && create) {
      e = { wraps: new Map() };
      log.epochs.set(k.epoch, e);
    }
    return e;
  }

  protected async epochRecord(key: EpochKey, which: 'open' | 'close', record: Uint8Array): Promise<AppendResult> {
    this.open();
    const c = checkEpochRecord(key, record);
    const e = this.epoch(c.key, true)!;
    if (e[which] !== undefined) return 'duplicate';
    e[which] = c.record;
    return 'stored';
  }
}
