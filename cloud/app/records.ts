// Header parse of sealed-reading records (docs/readings.md) through the
// cloud/readings codec: enough for the relay to store them keyed by (device,
// kind, epoch, seq) without opening anything (the relay sees these headers by
// design, never a payload). READING records go to Store.append, EPOCH_OPEN to
// openEpoch, EPOCH_CLOSE to closeEpoch; each is stored once, so a
// retransmission is a duplicate.

import { decodeRecord, KIND_EPOCH_OPEN, KIND_READING, ReadingsFormatError, type SealedRecord } from '../readings/records.ts';

export type RecordKindName = 'epoch-open' | 'reading' | 'epoch-close';

/** Largest sequence number the store carries (2^53 - 1). */
export const SEQ_MAX = Number.MAX_SAFE_INTEGER;

/** What the relay reads from a record's header. */
export interface RecordHeader {
  kind: RecordKindName;
  /** Epoch E (u32, >= 1). */
  epoch: number;
  /** READING: seq; EPOCH_OPEN: first_seq; EPOCH_CLOSE: last_seq. */
  seq: number;
  /** READING only: the u16 feed id. */
  feed?: number;
}

/**
 * Header of `record` (validated in full by cloud/readings decodeRecord), or why
 * it is not a well-formed record. VARIABLE TIME: headers are public.
 */
export function parseRecordHeader(record: Uint8Array): RecordHeader | string {
  let r: SealedRecord;
  try {
    r = decodeRecord(record);
  } catch (e) {
    if (e instanceof ReadingsFormatError) return e.message;
    throw e;
  }
  const name: RecordKindName = r.kind === KIND_EPOCH_OPEN ? 'epoch-open' : r.kind === KIND_READING ? 'reading' : 'epoch-close';
  const seq64 = r.kind === KIND_EPOCH_OPEN ? r.firstSeq : r.kind === KIND_READING ? r.seq : r.lastSeq;
  if (seq64 > BigInt(SEQ_MAX)) return `${name}: seq above ${SEQ_MAX}`;
  const header: RecordHeader = { kind: name, epoch: r.epoch, seq: Number(seq64) };
  if (r.kind === KIND_READING) header.feed = r.feed;
  return header;
}
