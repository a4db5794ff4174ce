// Argument checks and copies shared by every Store implementation, so they all
// accept and refuse exactly the same inputs (TypeError for a wrong type,
// RangeError for a wrong size or range).

import { CLAIM_ID_BYTES, KEY_BYTES } from '../protocol/constants.ts';
import type {
  ClaimRecord, ClaimedDevice, DeviceRecord, EpochKey, Metadata, NewDevice, OwnerRecord, Reading, ReadingQuery,
} from './types.ts';

export const DID_MAX_BYTES = 256;
export const FEED_MAX_BYTES = 128;
export const NAME_MAX_BYTES = 256;
/** Metadata as JSON. */
export const METADATA_MAX_BYTES = 16 * 1024;
export const READING_MAX_BYTES = 64 * 1024;
export const WRAP_MAX_BYTES = 4096;
export const CLOSING_MAX_BYTES = 4096;
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
export const checkFeed = (value: unknown): string => checkString('feed', value, 1, FEED_MAX_BYTES);

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
  return { device: checkDid('device', k.device), feed: checkFeed(k.feed), epoch: checkUint('epoch', k.epoch) };
}

export function checkReading(r: Reading): Reading {
  if (r === null || typeof r !== 'object') throw new TypeError('reading: expected an object');
  return {
    device: checkDid('device', r.device),
    feed: checkFeed(r.feed),
    epoch: checkUint('epoch', r.epoch),
    seq: checkUint('seq', r.seq),
    body: checkBytes('body', r.body, 1, READING_MAX_BYTES),
    receivedAt: checkUint('receivedAt', r.receivedAt),
  };
}

/** Position of a reading in a stream's (receivedAt, epoch, seq) order. */
export type Position = readonly [receivedAt: number, epoch: number, seq: number];

export function encodeCursor(p: Position): string {
  return `${p[0]}.${p[1]}.${p[2]}`;
}

export function decodeCursor(cursor: unknown): Position {
  if (typeof cursor !== 'string') throw new TypeError(`cursor: expected string, got ${describe(cursor)}`);
  const m = /^(\d{1,16})\.(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  const p = m === null ? [] : [Number(m[1]), Number(m[2]), Number(m[3])];
  if (p.length !== 3 || !p.every(Number.isSafeInteger)) throw new RangeError('cursor: malformed');
  return p as unknown as Position;
}

export interface CheckedQuery {
  device: string; feed: string; from: number; to: number; epoch?: number; limit: number; after?: Position;
}

export function checkQuery(q: ReadingQuery): CheckedQuery {
  if (q === null || typeof q !== 'object') throw new TypeError('query: expected an object');
  const limit = q.limit === undefined ? QUERY_DEFAULT_LIMIT : checkUint('limit', q.limit);
  if (limit < 1 || limit > QUERY_MAX_LIMIT) throw new RangeError(`limit: expected 1..${QUERY_MAX_LIMIT}`);
  return {
    device: checkDid('device', q.device),
    feed: checkFeed(q.feed),
    from: q.from === undefined ? 0 : checkUint('from', q.from),
    to: q.to === undefined ? Number.MAX_SAFE_INTEGER : checkUint('to', q.to),
    epoch: q.epoch === undefined ? undefined : checkUint('epoch', q.epoch),
    limit,
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
  };
}

/** (a > b) in (receivedAt, epoch, seq) order. */
export function positionAfter(a: Position, b: Position): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];
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
