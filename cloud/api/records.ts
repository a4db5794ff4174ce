// GET /v1/devices/:did/records (docs/api.md): records in device order (epoch,
// then EPOCH_OPEN, READINGs by seq, EPOCH_CLOSE), whole epochs for a receivedAt
// window, pages of `limit` with an opaque `next` the client passes back as
// `afterSeq`. The cursor is "<epoch>.<position>" of the last record returned:
// position 0 for EPOCH_OPEN, seq for a READING, 2^53-1 for EPOCH_CLOSE.
//
// The store keeps no receive time for EPOCH_OPEN/EPOCH_CLOSE: they are given the
// receivedAt of the epoch's first / last reading (0 when it has none).
// Epochs are enumerated from the store's epoch list (those with an EPOCH_OPEN or
// EPOCH_CLOSE stored) unless a window is given.

import { QUERY_MAX_LIMIT, type Reading, type ReadingQuery, type Store } from '../store/index.ts';
import { ApiError } from './errors.ts';

export const RECORDS_DEFAULT_LIMIT = 100;
export const RECORDS_MAX_LIMIT = 1000;
const POS_CLOSE = Number.MAX_SAFE_INTEGER;

export interface RecordsQuery {
  from?: number;
  to?: number;
  after?: { epoch: number; pos: number };
  limit: number;
}

export interface RecordsPage {
  records: { record: string; receivedAt: number }[];
  next: string | null;
}

function int(name: string, v: string | null, min: number, max: number): number | undefined {
  if (v === null) return undefined;
  if (!/^\d{1,16}$/.test(v)) throw new ApiError('BAD_REQUEST', `${name}: expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new ApiError('BAD_REQUEST', `${name}: expected ${min}..${max}`);
  return n;
}

/** Parse and check the query string. ApiError BAD_REQUEST. */
export function parseRecordsQuery(q: URLSearchParams): RecordsQuery {
  const from = int('from', q.get('from'), 0, Number.MAX_SAFE_INTEGER);
  const to = int('to', q.get('to'), 0, Number.MAX_SAFE_INTEGER);
  const limit = int('limit', q.get('limit'), 1, RECORDS_MAX_LIMIT) ?? RECORDS_DEFAULT_LIMIT;
  const a = q.get('afterSeq');
  let after: RecordsQuery['after'];
  if (a !== null && a !== '') {
    const m = /^(\d{1,10})\.(\d{1,16})$/.exec(a);
    if (m === null || !Number.isSafeInteger(Number(m[2])) || Number(m[1]) > 0xffffffff) throw new ApiError('BAD_REQUEST', 'afterSeq: not a cursor from this relay');
    after = { epoch: Number(m[1]), pos: Number(m[2]) };
  }
  return { from, to, after, limit };
}

/** Every reading matching `q`, through the store's pages. */
async function allReadings(store: Store, q: ReadingQuery): Promise<Reading[]> {
  const out: Reading[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryReadings({ ...q, limit: QUERY_MAX_LIMIT, cursor });
    out.push(...page.readings);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

/** Epoch numbers of `device` from `start` on, ascending. */
async function epochList(store: Store, device: string, start: number, windowed: { from?: number; to?: number } | null): Promise<number[]> {
  if (windowed !== null) {
    const rs = await allReadings(store, { device, from: windowed.from, to: windowed.to, order: 'received' });
    return [...new Set(rs.map((r) => r.epoch))].filter((e) => e >= start).sort((x, y) => x - y);
  }
  const out: number[] = [];
  for (let from = start; ;) {
    const page = await store.listEpochs(device, { from, limit: QUERY_MAX_LIMIT });
    for (const e of page) out.push(e.epoch);
    if (page.length < QUERY_MAX_LIMIT) return out;
    from = page[page.length - 1].epoch + 1;
  }
}

/** One page of `device`'s records. */
export async function queryRecords(store: Store, device: string, q: RecordsQuery): Promise<RecordsPage> {
  const windowed = q.from !== undefined || q.to !== undefined ? { from: q.from, to: q.to } : null;
  const epochs = await epochList(store, device, q.after?.epoch ?? 0, windowed);
  const records: RecordsPage['records'] = [];
  let last = '';
  for (const epoch of epochs) {
    const ep = await store.getEpoch({ device, epoch });
    const readings = await allReadings(store, { device, epoch, order: 'sequence' });
    const items: { pos: number; body: Uint8Array; receivedAt: number }[] = [];
    if (ep?.open !== undefined) items.push({ pos: 0, body: ep.open, receivedAt: readings[0]?.receivedAt ?? 0 });
    for (const r of readings) items.push({ pos: r.seq, body: r.body, receivedAt: r.receivedAt });
    if (ep?.close !== undefined) items.push({ pos: POS_CLOSE, body: ep.close, receivedAt: readings[readings.length - 1]?.receivedAt ?? 0 });
    for (const it of items) {
      if (q.after !== undefined && epoch === q.after.epoch && it.pos <= q.after.pos) continue;
      if (records.length === q.limit) return { records, next: last };
      records.push({ record: Buffer.from(it.body).toString('base64'), receivedAt: it.receivedAt });
      last = `${epoch}.${it.pos}`;
    }
  }
  return { records, next: null };
}
