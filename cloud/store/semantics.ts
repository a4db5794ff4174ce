// What a Store answers, decided once for every implementation: when a claim
// may be consumed, how device changes apply, which readings a query matches,
// in what order, and how a page and its cursor are cut. The stores only find
// and keep the records (a Map, SQL rows); the conformance suite
// (test/store/conformance.ts) checks that they all answer alike.

import { byString, positionAfter, positionOf, encodeCursor, type CheckedQuery } from './validate.ts';
import { StoreError, type ClaimRecord, type ConsumeResult, type DeviceRecord, type Metadata, type Reading, type ReadingPage } from './types.ts';

/** Why `claim` cannot be consumed at `now` (ms; undefined: no expiry check), or undefined when it can. */
export function claimRefusal(claim: ClaimRecord | undefined, now: number | undefined): ConsumeResult | undefined {
  if (claim === undefined) return { ok: false, reason: 'unknown' };
  if (claim.used) return { ok: false, reason: 'used' };
  if (now !== undefined && now >= claim.expiresAt) return { ok: false, reason: 'expired' };
  return undefined;
}

/**
 * Whether a claim may (re-)register a device: a revoked DID stays revoked
 * (refused, nothing changes), and a static key belongs to one device only
 * (STORE_CONFLICT: another device holds it). undefined: go ahead.
 */
export function registrationRefusal(existing: DeviceRecord | undefined, staticKeyTakenByOther: boolean): ConsumeResult | undefined {
  if (existing?.revoked) return { ok: false, reason: 'revoked' };
  if (staticKeyTakenByOther) throw new StoreError('STORE_CONFLICT', 'another device has this static key');
  return undefined;
}

/** A consumed claim's result, with the device it registered if any. */
export function consumed(claim: ClaimRecord, device: DeviceRecord | undefined): ConsumeResult {
  return device === undefined ? { ok: true, claim } : { ok: true, claim, device };
}

/** Applies updateDevice's checked changes to `d`; true (the device was found). */
export function applyDeviceChanges(d: DeviceRecord, c: { name?: string; metadata?: Metadata }): boolean {
  if (c.name !== undefined) d.name = c.name;
  if (c.metadata !== undefined) d.metadata = c.metadata;
  return true;
}

/** Raises d's replay counter to `counter`; false (unchanged) unless it is higher (monotonic: a replayed initiation loses). */
export function advanceCounter(d: DeviceRecord, counter: bigint): boolean {
  if (counter <= d.lastCounter) return false;
  d.lastCounter = counter;
  return true;
}

/** Devices ordered by DID, as listDevicesByOwner returns them. */
export const byDid = (a: { did: string }, b: { did: string }): number => byString(a.did, b.did);

/** Wraps ordered by reader DID, as an EpochRecord carries them. */
export const byReader = (a: { reader: string }, b: { reader: string }): number => byString(a.reader, b.reader);

/** Whether reading `r` of q.device falls in the query (time window [from, to), epoch, feed, after the cursor). */
export function readingMatches(q: CheckedQuery, r: Reading): boolean {
  return r.receivedAt >= q.from && r.receivedAt < q.to && (q.epoch === undefined || r.epoch === q.epoch)
    && (q.feed === undefined || r.feed === q.feed) && (q.after === undefined || positionAfter(positionOf(q.order, r), q.after));
}

/** The query's order: by [epoch, seq] ('sequence') or [receivedAt, epoch, seq] ('received'). */
export function readingOrder(q: CheckedQuery): (a: Reading, b: Reading) => number {
  return (a, b) => (positionAfter(positionOf(q.order, a), positionOf(q.order, b)) ? 1 : -1);
}

/**
 * The page of `hits` (matching, in query order; at least q.limit + 1 of them
 * when more exist): the first q.limit as readings (`toReading` runs on those
 * only), and a cursor after the last when more exist.
 */
export function readingPage<T>(q: CheckedQuery, hits: readonly T[], toReading: (hit: T) => Reading): ReadingPage {
  const readings = hits.slice(0, q.limit).map(toReading);
  if (hits.length <= q.limit) return { readings };
  return { readings, cursor: encodeCursor(q.order, positionOf(q.order, readings[readings.length - 1])) };
}
