// What the relay API sends the retrieval library (docs/api.md): base64 record
// entries, and the stable error the client throws when an answer is wrong.
// No node: imports and no Buffer: this file goes into the browser bundle.

import { KIND_EPOCH_OPEN, KIND_EPOCH_CLOSE } from '../readings/records.ts';

/** A failed API call. `code` is stable: 'http' (status in `status`), 'protocol' (malformed answer), 'live' (the live feed gave up). */
export class ClientError extends Error {
  constructor(readonly code: 'http' | 'protocol' | 'live', message: string, readonly status?: number) {
    super(message);
    this.name = 'ClientError';
  }
}

/** base64 (standard, padded) to bytes, without node:buffer. */
export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes to base64 (standard, padded), without node:buffer. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

/** One record as the relay sent it; `b64` (its exact wire text) identifies it. */
export interface WireEntry {
  b64: string;
  bytes: Uint8Array;
  receivedAt?: number;
}

/** `{ record, receivedAt }` of a records page or a live message. ClientError 'protocol' if malformed. */
export function wireEntry(x: unknown): WireEntry {
  const r = x as { record?: unknown; receivedAt?: unknown };
  if (typeof r !== 'object' || r === null || typeof r.record !== 'string') throw new ClientError('protocol', 'relay: malformed record entry');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(r.record);
  } catch {
    throw new ClientError('protocol', 'relay: record is not base64');
  }
  return { b64: r.record, bytes, receivedAt: typeof r.receivedAt === 'number' ? r.receivedAt : undefined };
}

/** Device order of a record: epoch, then EPOCH_OPEN < READING < EPOCH_CLOSE, then seq. */
export interface RecordPosition { epoch: number; rank: number; seq: bigint }

/**
 * The position in the header every record kind shares (kind(1) | E(4) | seq(8),
 * docs/readings.md), or null when the header is not even that. The full
 * decode and every check stay with verifyDeviceStream.
 */
export function recordPosition(bytes: Uint8Array): RecordPosition | null {
  if (bytes.length < 13 || bytes[0] < KIND_EPOCH_OPEN || bytes[0] > KIND_EPOCH_CLOSE) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return { epoch: v.getUint32(1, true), rank: bytes[0] - KIND_EPOCH_OPEN, seq: v.getBigUint64(5, true) };
}

/** Compare two positions (device order). */
export function comparePositions(a: RecordPosition, b: RecordPosition): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}
