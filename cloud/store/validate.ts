// Argument checks and copies shared by every Store implementation, so they all
// accept and refuse exactly the same inputs (TypeError for a wrong type,
// RangeError for a wrong size or range).

import { CLAIM_ID_BYTES, KEY_BYTES } from '../protocol/constants.ts';
import type {
  ClaimRecord, ClaimedDevice, DeviceRecord, EpochKey, Metadata, NewDevice, OwnerRecord, Reading, ReadingQuery,
} from './types.ts';

export const DID_MAX_BYTES = 256;
export const FEED_MAX = 0xffff;
export const NAME_MAX_BYTES = 256;
/** Metadata as JSON. */
export const METADATA_MAX_BYTES = 16 * 1024;
export const READING_MAX_BYTES = 64 * 1024;
export const WRAP_MAX_BYTES = 4096;
/** EPOCH_OPEN with 255 wraps is under 29 KiB. */
export const EPOCH_RECORD_MAX_BYTES = 32 * 1024;
export const QUERY_DEFAULT_LIMIT = 100;
export const QUERY_MAX_LIMIT = 1000;
const U64_MAX = (1n << 64n) - 1n;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

export function checkString(name: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected string, got ${describe(value)}`);
  const n = utf8Length(value);
  if (n < min || n > max) throw new RangeError(`${name}: expected ${min}..${max} UTF-8 bytes, got ${n}`);
  return value;
}

export const checkDid = (name: string, value: unknown): string => checkString(name, value, 1, DID_MAX_BYTES);

/** A copy of `value`, a Uint8Array of min..max bytes. */
export function checkBytes(name: string, value: unknown, min: number, max: number = min): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected Uint8Array, got ${describe(value)}`);
  if (value.length < min || value.length > max) {
    throw new RangeError(min === max ? `${name}: expected ${min} bytes, got ${value.length}`
      : `${name}: expected ${min}..${max} bytes, got ${value.length}`);
  }
  return new Uint8Array(value);
}

/** An integer 0..2^53-1. */
export function checkUint(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected number, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name}: expected an integer 0..2^53-1, got ${value}`);
  return value;
}

/** A feed id, u16. */
export function checkFeed(value: unknown): number {
  const f = checkUint('feed', value);
  if (f > FEED_MAX) throw new RangeError(`feed: expected 0..${FEED_MAX}, got ${f}`);
  return f;
}

export function checkCounter(value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`counter: expected bigint, got ${describe(value)}`);
  if (value < 0n || value > U64_MAX) throw new RangeError('counter: expected 0..2^64-1');
  return value;
}

/** The canonical (JSON round-tripped) copy of `value`; every store keeps exactly this. */
export function checkMetadata(value: unknown): Metadata {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`metadata: expected a plain object, got ${describe(value)}`);
  }
  const json = JSON.stringify(value);
  if (utf8Length(json) > METADATA_MAX_BYTES) throw new RangeError(`metadata: more than ${METADATA_MAX_BYTES} bytes as JSON`);
  return JSON.parse(json) as Metadata;
}

export function checkOwner(o: OwnerRecord): OwnerRecord {
  if (o === null || typeof o !== 'object') throw new TypeError('owner: expected an object');
  return {
    did: checkDid('owner.did', o.did),
    name: checkString('owner.name', o.name, 0, NAME_MAX_BYTES),
    metadata: checkMetadata(o.metadata),
    createdAt: checkUint('owner.createdAt', o.createdAt),
  };
}

export function checkClaimId(value: unknown): Uint8Array {
  return checkBytes('claimId', value, CLAIM_ID_BYTES);
}

export function checkNewClaim(c: Omit<ClaimRecord, 'used'>): Omit<ClaimRecord, 'used'> {
  if (c === null || typeof c !== 'object') throw new TypeError('claim: expected an object');
  return {
    claimId: checkClaimId(c.claimId),
    claimPsk: checkBytes('claim.claimPsk', c.claimPsk, KEY_BYTES),
    expiresAt: checkUint('claim.expiresAt', c.expiresAt),
    owner: checkDid('claim.owner', c.owner),
  };
}

export function checkClaimedDevice(d: ClaimedDevice): Required<ClaimedDevice> {
  if (d === null || typeof d !== 'object') throw new TypeError('device: expected an object');
  return {
    did: checkDid('device.did', d.did),
    ed25519PublicKey: checkBytes('device.ed25519PublicKey', d.ed25519PublicKey, KEY_BYTES),
    staticKey: checkBytes('device.staticKey', d.staticKey, KEY_BYTES),
    devicePsk: checkBytes('device.devicePsk', d.devicePsk, KEY_BYTES),
    name: d.name === undefined ? '' : checkString('device.name', d.name, 0, NAME_MAX_BYTES),
    metadata: checkMetadata(d.metadata),
    registeredAt: checkUint('device.registeredAt', d.registeredAt),
  };
}

export function checkNewDevice(d: NewDevice): Required<NewDevice> {
  const c = checkClaimedDevice(d);
  return { ...c, owner: checkDid('device.owner', d.owner) };
}

/** A new device's record as stored. */
export function deviceRecord(d: Required<NewDevice>): DeviceRecord {
  return { ...d, lastCounter: 0n, revoked: false };
}

export function checkDeviceChanges(changes: { name?: string; metadata?: Metadata }): { name?: string; metadata?: Metadata } {
  if (changes === null || typeof changes !== 'object') throw new TypeError('changes: expected an object');
  const out: { name?: string; metadata?: Metadata } = {};
  if (changes.name !== undefined) out.name = checkString('name', changes.name, 0, NAME_MAX_BYTES);
  if (changes.metadata !== undefined) out.metadata = checkMetadata(changes.metadata);
  return out;
}

export function checkEpochKey(k: EpochKey): EpochKey {
  if (k === null || typeof k !== 'object') throw new TypeError('key: expected an object');
  return { device: checkDid('device', k.device), epoch: checkUint('epoch', k.epoch) };
}

export function checkReading(r: Reading): Reading {
  if (r === null || typeof r !== 'object') throw new TypeError('reading: expected an object');
  return {
    device: checkDid('device', r.device),
    epoch: checkUint('epoch', r.epoch),
    seq: checkUint('seq', r.seq),
    feed: checkFeed(r.feed),
    body: checkBytes('body', r.body, 1, READING_MAX_BYTES),
    receivedAt: checkUint('receivedAt', r.receivedAt),
  };
}

/** The arguments of Store.consumeClaim. */
export function checkConsume(claimId: Uint8Array, options: { now?: number; register?: ClaimedDevice }): {
  id: Uint8Array; now?: number; register?: Required<ClaimedDevice>;
} {
  const id = checkClaimId(claimId);
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  return {
    id,
    now: options.now === undefined ? undefined : checkUint('now', options.now),
    register: options.register === undefined ? undefined : checkClaimedDevice(options.register),
  };
}

/** The arguments of Store.updateDevice. */
export function checkDeviceUpdate(did: string, changes: { name?: string; metadata?: Metadata }): { did: string; changes: { name?: string; metadata?: Metadata } } {
  return { did: checkDid('did', did), changes: checkDeviceChanges(changes) };
}

/** The arguments of Store.updateCounter. */
export function checkCounterUpdate(did: string, counter: bigint): { did: string; counter: bigint } {
  return { did: checkDid('did', did), counter: checkCounter(counter) };
}

/** The arguments of Store.openEpoch / closeEpoch. */
export function checkEpochRecord(key: EpochKey, record: Uint8Array): { key: EpochKey; record: Uint8Array } {
  return { key: checkEpochKey(key), record: checkBytes('record', record, 1, EPOCH_RECORD_MAX_BYTES) };
}

/** The arguments of Store.putWrap. */
export function checkWrap(key: EpochKey, reader: string, wrap: Uint8Array): { key: EpochKey; reader: string; wrap: Uint8Array } {
  return { key: checkEpochKey(key), reader: checkDid('reader', reader), wrap: checkBytes('wrap', wrap, 1, WRAP_MAX_BYTES) };
}

/** The arguments of Store.listEpochs. */
export function checkEpochList(device: string, options: { from?: number; limit?: number }): { device: string; from: number; limit: number } {
  const d = checkDid('device', device);
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  return {
    device: d,
    from: options.from === undefined ? 0 : checkUint('from', options.from),
    limit: checkLimit(options.limit),
  };
}

export function checkLimit(limit: unknown): number {
  const n = limit === undefined ? QUERY_DEFAULT_LIMIT : checkUint('limit', limit);
  if (n < 1 || n > QUERY_MAX_LIMIT) throw new RangeError(`limit: expected 1..${QUERY_MAX_LIMIT}`);
  return n;
}

/**
 * Position of a reading in a query's order: [epoch, seq] for 'sequence',
 * [receivedAt, epoch, seq] for 'received'.
 */
export type Position = readonly number[];

export type ReadingOrder = 'sequence' | 'received';

export function positionOf(order: ReadingOrder, r: Reading): Position {
  return order === 'sequence' ? [r.epoch, r.seq] : [r.receivedAt, r.epoch, r.seq];
}

export function encodeCursor(order: ReadingOrder, p: Position): string {
  return `${order === 'sequence' ? 's' : 'r'}.${p.join('.')}`;
}

export function decodeCursor(order: ReadingOrder, cursor: unknown): Position {
  if (typeof cursor !== 'string') throw new TypeError(`cursor: expected string, got ${describe(cursor)}`);
  const parts = cursor.split('.');
  const want = order === 'sequence' ? 3 : 4;
  const p = parts.slice(1).map((x) => (/^\d{1,16}$/.test(x) ? Number(x) : NaN));
  if (parts.length !== want || parts[0] !== order[0] || !p.every(Number.isSafeInteger)) throw new RangeError('cursor: malformed or of another order');
  return p;
}

export interface CheckedQuery {
  device: string; feed?: number; epoch?: number; from: number; to: number; order: ReadingOrder; limit: number; after?: Position;
}

export function checkQuery(q: ReadingQuery): CheckedQuery {
  if (q === null || typeof q !== 'object') throw new TypeError('query: expected an object');
  const order = q.order ?? 'sequence';
  if (order !== 'sequence' && order !== 'received') throw new RangeError("order: expected 'sequence' or 'received'");
  return {
    device: checkDid('device', q.device),
    feed: q.feed === undefined ? undefined : checkFeed(q.feed),
    epoch: q.epoch === undefined ? undefined : checkUint('epoch', q.epoch),
    from: q.from === undefined ? 0 : checkUint('from', q.from),
    to: q.to === undefined ? Number.MAX_SAFE_INTEGER : checkUint('to', q.to),
    order,
    limit: checkLimit(q.limit),
    after: q.cursor === undefined ? undefined : decodeCursor(order, q.cursor),
  };
}

/** Positions compared lexicographically: a > b. */
export function positionAfter(a: Position, b: Position): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

// ---- copies out ----

/** A plain Uint8Array copy (Buffer#slice would share memory). */
export const copyBytes = (b: Uint8Array): Uint8Array => new Uint8Array(b);

export const copyOwner = (o: OwnerRecord): OwnerRecord => ({ ...o, metadata: structuredClone(o.metadata) });
export const copyClaim = (c: ClaimRecord): ClaimRecord => ({ ...c, claimId: copyBytes(c.claimId), claimPsk: copyBytes(c.claimPsk) });
export const copyDevice = (d: DeviceRecord): DeviceRecord => ({
  ...d,
  ed25519PublicKey: copyBytes(d.ed25519PublicKey),
  staticKey: copyBytes(d.staticKey),
  devicePsk: copyBytes(d.devicePsk),
  metadata: structuredClone(d.metadata),
});
export const copyReading = (r: Reading): Reading => ({ ...r, body: copyBytes(r.body) });

/** Byte equality (public or already-authenticated data only: variable time). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Sort key for DIDs and feed names: code-unit order, the same in every store. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
