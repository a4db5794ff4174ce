// What the owner verifies (docs/readings.md, "What the owner verifies"): opens
// a device's sealed records with one reader's key and reports every sign of
// relay misbehaviour instead of hiding it. @noble only (runs in browsers).
//
// Device reboots need no exception here: the device keeps K_E in RAM only and,
// after a reboot, closes the interrupted epoch with an ordinary EPOCH_CLOSE
// (possibly of zero readings: count 0, last_seq = first_seq - 1) before opening
// E+1 linked to its final chain (docs/readings.md, "Reboots and power cuts").
// So an honest reboot verifies clean, and every check below still catches a
// relay that deletes, reorders or forges records.
//
// verifyDeviceStream never throws because of what the relay sent (malformed,
// forged, missing, reordered or replayed records all become issues); it
// throws TypeError / RangeError only for a wrong argument (programmer error).

import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { setupAuthR } from '../crypto/hpke.ts';
import { ed25519FromDid, x25519FromEd25519 } from '../keys/did.ts';
import {
  KIND_EPOCH_OPEN, KIND_READING, KIND_EPOCH_CLOSE, CHAIN_BYTES, KEY_BYTES,
  type EpochOpenRecord, type ReadingRecord, type EpochCloseRecord, type SealedRecord,
  decodeRecord, kindName, epochInfo, readingAad, readingNonce, openSignedMessage, closeSignedMessage,
} from './records.ts';
import { chainStart, chainNext } from './sealer.ts';

/** One authentic, decrypted reading. */
export interface VerifiedReading {
  seq: bigint;
  feed: number;
  epoch: number;
  payload: Uint8Array;
  /** When the relay says it received the record (ms), if the caller passed it. */
  receivedAt?: number;
}

/**
 * Something the relay did (or may have done) to the stream:
 * - gap: sequence numbers `from..to` are missing between readings that are present;
 * - reorder: the record at `index` came before one it must follow;
 * - deleted: `what` is missing or contradicted: 'epoch' (whole epochs `epoch..toEpoch`),
 *   'epoch-open', 'epoch-close', 'readings' (the tail `from..to` of a closed epoch),
 *   'chain' (recomputed chain differs), 'count', 'link' (prev_chain / first_seq / epoch
 *   number do not continue the previous epoch);
 * - forged: a record at `index` failed to decode, authenticate or verify (`what`);
 * - open: the newest epoch has no EPOCH_CLOSE yet; its readings are authentic but
 *   their completeness is not yet provable;
 * - no-access: this reader has no wrap in `epoch` (not relay misbehaviour: the
 *   device did not grant it), so that epoch's payloads stay closed.
 */
export interface StreamIssue {
  kind: 'gap' | 'reorder' | 'deleted' | 'forged' | 'open' | 'no-access';
  epoch?: number;
  toEpoch?: number;
  seq?: bigint;
  from?: bigint;
  to?: bigint;
  index?: number;
  what?: string;
  detail: string;
}

export interface VerifyResult {
  readings: VerifiedReading[];
  issues: StreamIssue[];
}

/** A record as the relay returned it. */
export type StreamRecord = Uint8Array | { bytes: Uint8Array; receivedAt?: number };

export interface VerifyOptions {
  /**
   * 'genesis' (default): the stream must start at epoch 1 with a zero
   * prev_chain and seq 1. 'first': the first epoch present is the anchor
   * (for a time window of the stream); its link to earlier epochs is not checked.
   */
  anchor?: 'genesis' | 'first';
}

interface Entry<R extends SealedRecord> { rec: R; index: number; receivedAt?: number }
interface EpochGroup {
  opens: Entry<EpochOpenRecord>[];
  readings: Map<bigint, Entry<ReadingRecord>[]>;
  closes: Entry<EpochCloseRecord>[];
}

const RANK = { [KIND_EPOCH_OPEN]: 0, [KIND_READING]: 1, [KIND_EPOCH_CLOSE]: 2 } as const;
function position(r: SealedRecord): [number, number, bigint] {
  const seq = r.kind === KIND_EPOCH_OPEN ? r.firstSeq : r.kind === KIND_READING ? r.seq : r.lastSeq;
  return [r.epoch, RANK[r.kind], seq];
}
function before(a: [number, number, bigint], b: [number, number, bigint]): boolean {
  if (a[0] !== b[0]) return a[0] < b[0];
  if (a[1] !== b[1]) return a[1] < b[1];
  return a[2] < b[2];
}
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
function verifySig(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    // Strict RFC 8032 (no ZIP-215 leniency), as the core's verifier.
    return ed25519.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}
function devicePublicKey(device: Uint8Array | string): Uint8Array {
  if (typeof device === 'string') return ed25519FromDid(device);
  if (!(device instanceof Uint8Array)) throw new TypeError('device: expected Uint8Array or did:key string');
  if (device.length !== 32) throw new RangeError(`device: expected 32 bytes, got ${device.length}`);
  return device.slice();
}

/**
 * Verifies and opens one device's record stream (in the order the relay
 * returned it) with `readerSecret` (the reader's X25519 secret key).
 * `device` is the device's Ed25519 public key or did:key.
 */
export function verifyDeviceStream(
  device: Uint8Array | string, records: readonly StreamRecord[], readerSecret: Uint8Array, options: VerifyOptions = {},
): VerifyResult {
  const D = devicePublicKey(device);
  let XD: Uint8Array;
  try { XD = x25519FromEd25519(D); } catch { throw new TypeError('device: not a valid Ed25519 public key'); }
  if (!(readerSecret instanceof Uint8Array)) throw new TypeError('readerSecret: expected Uint8Array');
  if (readerSecret.length !== 32) throw new RangeError(`readerSecret: expected 32 bytes, got ${readerSecret.length}`);
  if (!Array.isArray(records)) throw new TypeError('records: expected an array');
  const anchor = options.anchor ?? 'genesis';
  if (anchor !== 'genesis' && anchor !== 'first') throw new RangeError("anchor: 'genesis' or 'first'");
  const myPublic = x25519.getPublicKey(readerSecret);

  const issues: StreamIssue[] = [];
  const readings: VerifiedReading[] = [];
  const groups = new Map<number, EpochGroup>();
  const group = (e: number): EpochGroup => {
    let g = groups.get(e);
    if (!g) { g = { opens: [], readings: new Map(), closes: [] }; groups.set(e, g); }
    return g;
  };

  // 1. Decode, detect reordering, group by epoch, drop exact duplicates (retransmissions).
  let latest: [number, number, bigint] | null = null;
  records.forEach((item, index) => {
    const bytes = item instanceof Uint8Array ? item : item?.bytes;
    const receivedAt = item instanceof Uint8Array ? undefined : item?.receivedAt;
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`records[${index}]: expected Uint8Array or { bytes }`);
    let rec: SealedRecord;
    try {
      rec = decodeRecord(bytes);
    } catch (e) {
      issues.push({ kind: 'forged', index, what: 'malformed', detail: (e as Error).message });
      return;
    }
    const pos = position(rec);
    if (latest && before(pos, latest)) {
      issues.push({ kind: 'reorder', index, epoch: rec.epoch, seq: pos[2],
        detail: `${kindName(rec.kind)} of epoch ${rec.epoch} (seq ${pos[2]}) came after a later record` });
    } else {
      latest = pos;
    }
    const g = group(rec.epoch);
    const entry = { rec, index, receivedAt };
    const list: Entry<SealedRecord>[] = rec.kind === KIND_EPOCH_OPEN ? g.opens
      : rec.kind === KIND_EPOCH_CLOSE ? g.closes
        : (g.readings.get(rec.seq) ?? (g.readings.set(rec.seq, []), g.readings.get(rec.seq)!));
    if (list.some((e) => equalBytes(e.rec.bytes, rec.bytes))) return;
    list.push(entry as Entry<never>);
  });

  // 2. Per epoch, the authentic EPOCH_OPEN and EPOCH_CLOSE (signatures by D).
  const epochs = [...groups.keys()].sort((a, b) => a - b);
  const opens = new Map<number, EpochOpenRecord>();
  const closes = new Map<number, EpochCloseRecord>();
  for (const e of epochs) {
    const g = groups.get(e)!;
    for (const { rec, index } of g.opens) {
      if (!opens.has(e) && verifySig(rec.sig, openSignedMessage(D, rec.signed), D)) opens.set(e, rec);
      else if (opens.get(e) !== rec) issues.push({ kind: 'forged', index, epoch: e, what: 'epoch-open', detail: `EPOCH_OPEN of epoch ${e}: bad signature` });
    }
    for (const { rec, index } of g.closes) {
      if (!closes.has(e) && verifySig(rec.sig, closeSignedMessage(D, rec.signed), D)) closes.set(e, rec);
      else if (closes.get(e) !== rec) issues.push({ kind: 'forged', index, epoch: e, what: 'epoch-close', detail: `EPOCH_CLOSE of epoch ${e}: bad signature` });
    }
  }

  // 3. Walk the epochs in order.
  let prev: { epoch: number; chain: Uint8Array | null; lastSeq: bigint | null } | null =
    anchor === 'genesis' ? { epoch: 0, chain: new Uint8Array(CHAIN_BYTES), lastSeq: 0n } : null;
  const newest = epochs.length ? epochs[epochs.length - 1] : 0;
  for (const e of epochs) {
    const g = groups.get(e)!;
    const open = opens.get(e);
    const close = closes.get(e);
    const linked = prev !== null && prev.epoch === e - 1;
    if (prev !== null && e > prev.epoch + 1) {
      issues.push({ kind: 'deleted', what: 'epoch', epoch: prev.epoch + 1, toEpoch: e - 1,
        detail: `epochs ${prev.epoch + 1}..${e - 1} are missing` });
    }
    // The end of this epoch: its close, or else the next epoch's first_seq - 1.
    const nextOpen = opens.get(e + 1);
    const expectedLast: bigint | null = close ? close.lastSeq : nextOpen ? nextOpen.firstSeq - 1n : null;

    if (!open) {
      if (g.opens.length === 0) issues.push({ kind: 'deleted', what: 'epoch-open', epoch: e, detail: `EPOCH_OPEN of epoch ${e} is missing` });
      prev = { epoch: e, chain: close ? close.chain : null, lastSeq: expectedLast };
      continue;
    }
    if (linked && prev) {
      const brokenChain = prev.chain !== null && !equalBytes(open.prevChain, prev.chain);
      const brokenSeq = prev.lastSeq !== null && open.firstSeq !== prev.lastSeq + 1n;
      if (brokenChain || brokenSeq) {
        issues.push({ kind: 'deleted', what: 'link', epoch: e,
          detail: `epoch ${e} does not continue epoch ${e - 1} (${brokenChain ? 'prev_chain' : 'first_seq'} differs)` });
      }
    }

    // The reader's copy of K_E (HPKE auth mode: only D could have wrapped it).
    let key: Uint8Array | null = null;
    const wrap = open.wraps.find((w) => equalBytes(w.reader, myPublic));
    if (!wrap) {
      issues.push({ kind: 'no-access', epoch: e, detail: `this reader has no wrap in epoch ${e}` });
    } else {
      try {
        const k = setupAuthR(wrap.enc, readerSecret, epochInfo(D, e), XD).open(new Uint8Array(0), wrap.ct);
        if (k.length === KEY_BYTES) key = k;
        else issues.push({ kind: 'forged', epoch: e, what: 'wrap', detail: `epoch ${e}: wrapped key has the wrong length` });
      } catch {
        issues.push({ kind: 'forged', epoch: e, what: 'wrap', detail: `epoch ${e}: the wrap does not open` });
      }
    }

    // Readings: authenticate each candidate (AEAD under K_E, AAD binds D, E, seq, feed).
    const present = new Map<bigint, Entry<ReadingRecord>>();
    for (const seq of [...g.readings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const entry of g.readings.get(seq)!) {
        const r = entry.rec;
        if (present.has(seq)) {
          issues.push({ kind: 'forged', index: entry.index, epoch: e, seq, what: 'reading', detail: `second, different READING for seq ${seq}` });
          continue;
        }
        if (seq < open.firstSeq || (expectedLast !== null && seq > expectedLast)) {
          issues.push({ kind: 'forged', index: entry.index, epoch: e, seq, what: 'reading', detail: `READING seq ${seq} lies outside epoch ${e}` });
          continue;
        }
        if (!key) { present.set(seq, entry); continue; } // authenticated, if at all, by the chain
        try {
          const payload = chacha20poly1305(key, readingNonce(seq), readingAad(D, e, seq, r.feed)).decrypt(r.ciphertext);
          present.set(seq, entry);
          readings.push({ seq, feed: r.feed, epoch: e, payload, ...(entry.receivedAt !== undefined ? { receivedAt: entry.receivedAt } : {}) });
        } catch {
          issues.push({ kind: 'forged', index: entry.index, epoch: e, seq, what: 'reading', detail: `READING seq ${seq} of epoch ${e} does not authenticate` });
        }
      }
    }
    key?.fill(0);

    // Missing sequence numbers: inside the run (gap) or the tail of a closed epoch (deleted).
    const seqs = [...present.keys()];
    const maxPresent = seqs.length ? seqs[seqs.length - 1] : open.firstSeq - 1n;
    let runStart: bigint | null = null;
    const flush = (to: bigint) => {
      if (runStart !== null) {
        issues.push({ kind: 'gap', epoch: e, from: runStart, to, detail: `epoch ${e}: readings ${runStart}..${to} are missing` });
        runStart = null;
      }
    };
    for (let s = open.firstSeq; s <= maxPresent; s++) {
      if (!present.has(s)) { if (runStart === null) runStart = s; } else flush(s - 1n);
    }
    if (expectedLast !== null && expectedLast > maxPresent) {
      issues.push({ kind: 'deleted', what: 'readings', epoch: e, from: maxPresent + 1n, to: expectedLast,
        detail: `epoch ${e}: its last readings ${maxPresent + 1n}..${expectedLast} are missing` });
    }

    // The chain over the records in sequence order, when every one is here.
    let computed: Uint8Array | null = null;
    const last = expectedLast ?? maxPresent;
    if (BigInt(present.size) === last - open.firstSeq + 1n) {
      computed = chainStart(D, e, open.prevChain);
      for (let s = open.firstSeq; s <= last; s++) computed = chainNext(computed, present.get(s)!.rec.bytes);
    }
    if (close) {
      if (BigInt(close.count) !== close.lastSeq - open.firstSeq + 1n) {
        issues.push({ kind: 'deleted', what: 'count', epoch: e, detail: `epoch ${e}: count ${close.count} does not match ${open.firstSeq}..${close.lastSeq}` });
      }
      if (computed && !equalBytes(computed, close.chain)) {
        issues.push({ kind: 'deleted', what: 'chain', epoch: e, detail: `epoch ${e}: the readings' chain differs from EPOCH_CLOSE` });
      }
    } else if (e !== newest) {
      if (g.closes.length === 0) issues.push({ kind: 'deleted', what: 'epoch-close', epoch: e, detail: `EPOCH_CLOSE of epoch ${e} is missing` });
    } else {
      issues.push({ kind: 'open', epoch: e, seq: maxPresent,
        detail: `epoch ${e} is not closed yet: its readings are authentic, their completeness is not yet provable` });
    }
    prev = { epoch: e, chain: close ? close.chain : computed, lastSeq: expectedLast };
  }

  readings.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  return { readings, issues };
}
