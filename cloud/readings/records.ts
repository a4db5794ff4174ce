// Sealed readings v1 record codecs (docs/readings.md): EPOCH_OPEN (kind 1),
// READING (kind 2), EPOCH_CLOSE (kind 3). Integers little-endian; sequence
// numbers are u64 and travel as bigint.
//
// Decoding is strict: a record whose length, kind or fields do not match the
// spec is a ReadingsFormatError (code 'format'), never a partly filled object.
// @noble only / no node: imports, so the retrieval library runs in browsers.

/** Record kinds (first byte). */
export const KIND_EPOCH_OPEN = 1;
export const KIND_READING = 2;
export const KIND_EPOCH_CLOSE = 3;
/** One reader's wrap: R_i(32) | enc(32) | HPKE ciphertext of K_E (32 + 16). */
export const WRAP_BYTES = 112;
/** EPOCH_OPEN without wraps: kind | E | first_seq | prev_chain | n | sig. */
export const OPEN_FIXED_BYTES = 1 + 4 + 8 + 32 + 1 + 64;
/** READING header (kind | E | seq | feed); the AEAD ciphertext follows. */
export const READING_HEADER_BYTES = 15;
/** READING bytes besides the payload: header + Poly1305 tag. */
export const READING_OVERHEAD_BYTES = READING_HEADER_BYTES + 16;
/** EPOCH_CLOSE: kind | E | last_seq | count | chain | sig. */
export const CLOSE_BYTES = 1 + 4 + 8 + 4 + 32 + 64;
export const SIGNATURE_BYTES = 64;
export const CHAIN_BYTES = 32;
export const KEY_BYTES = 32;
export const MAX_READERS = 255;
export const U64_MAX = (1n << 64n) - 1n;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Domain-separation labels of the spec, verbatim. */
export const LABEL_EPOCH = ascii('sealink/1 epoch');
export const LABEL_EPOCH_OPEN = ascii('sealink/1 epoch-open');
export const LABEL_READING = ascii('sealink/1 reading');
export const LABEL_EPOCH_CLOSE = ascii('sealink/1 epoch-close');
export const LABEL_CHAIN = ascii('sealink/1 chain');

/** Why a record did not decode. `code` is stable. */
export class ReadingsFormatError extends Error {
  readonly code = 'format' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ReadingsFormatError';
  }
}

/** One reader's copy of the epoch key. */
export interface Wrap {
  /** X25519 public key of the reader. */
  reader: Uint8Array;
  /** HPKE enc (the ephemeral public key). */
  enc: Uint8Array;
  /** HPKE ciphertext of K_E (48 bytes). */
  ct: Uint8Array;
}

export interface EpochOpenRecord {
  kind: typeof KIND_EPOCH_OPEN;
  epoch: number;
  firstSeq: bigint;
  prevChain: Uint8Array;
  wraps: Wrap[];
  sig: Uint8Array;
  /** The record bytes before sig (what the signature covers after label || D). */
  signed: Uint8Array;
  bytes: Uint8Array;
}

export interface ReadingRecord {
  kind: typeof KIND_READING;
  epoch: number;
  seq: bigint;
  feed: number;
  /** Ciphertext || tag. */
  ciphertext: Uint8Array;
  /** E(4) | seq(8) | feed(2): the record's header after the kind byte (the tail of the AAD). */
  headerTail: Uint8Array;
  bytes: Uint8Array;
}

export interface EpochCloseRecord {
  kind: typeof KIND_EPOCH_CLOSE;
  epoch: number;
  lastSeq: bigint;
  count: number;
  chain: Uint8Array;
  sig: Uint8Array;
  signed: Uint8Array;
  bytes: Uint8Array;
}

export type SealedRecord = EpochOpenRecord | ReadingRecord | EpochCloseRecord;

/** Name of a record kind, for messages and issues. */
export function kindName(kind: number): 'EPOCH_OPEN' | 'READING' | 'EPOCH_CLOSE' | 'unknown' {
  return kind === KIND_EPOCH_OPEN ? 'EPOCH_OPEN' : kind === KIND_READING ? 'READING' : kind === KIND_EPOCH_CLOSE ? 'EPOCH_CLOSE' : 'unknown';
}

// ---- little-endian helpers ----

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
export function u16le(n: number): Uint8Array { return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff); }
export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
export function u64le(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}
function view(b: Uint8Array): DataView { return new DataView(b.buffer, b.byteOffset, b.byteLength); }

/** Nonce of a READING: seq(8, little-endian) || 00000000. */
export function readingNonce(seq: bigint): Uint8Array {
  return concatBytes(u64le(seq), new Uint8Array(4));
}
/** AAD of a READING: "sealink/1 reading" || D || E(4) || seq(8) || feed(2). */
export function readingAad(device: Uint8Array, epoch: number, seq: bigint, feed: number): Uint8Array {
  return concatBytes(LABEL_READING, device, u32le(epoch), u64le(seq), u16le(feed));
}
/** HPKE info of an epoch's wraps: "sealink/1 epoch" || D || E(4). */
export function epochInfo(device: Uint8Array, epoch: number): Uint8Array {
  return concatBytes(LABEL_EPOCH, device, u32le(epoch));
}
/** What an EPOCH_OPEN signature covers. */
export function openSignedMessage(device: Uint8Array, signed: Uint8Array): Uint8Array {
  return concatBytes(LABEL_EPOCH_OPEN, device, signed);
}
/** What an EPOCH_CLOSE signature covers. */
export function closeSignedMessage(device: Uint8Array, signed: Uint8Array): Uint8Array {
  return concatBytes(LABEL_EPOCH_CLOSE, device, signed);
}

// ---- encoders (the sealer uses these; bodies are the bytes before sig) ----

/** EPOCH_OPEN bytes before sig. */
export function epochOpenBody(epoch: number, firstSeq: bigint, prevChain: Uint8Array, wraps: readonly Wrap[]): Uint8Array {
  return concatBytes(Uint8Array.of(KIND_EPOCH_OPEN), u32le(epoch), u64le(firstSeq), prevChain,
    Uint8Array.of(wraps.length), ...wraps.flatMap((w) => [w.reader, w.enc, w.ct]));
}
/** READING header (15 bytes). */
export function readingHeader(epoch: number, seq: bigint, feed: number): Uint8Array {
  return concatBytes(Uint8Array.of(KIND_READING), u32le(epoch), u64le(seq), u16le(feed));
}
/** EPOCH_CLOSE bytes before sig. */
export function epochCloseBody(epoch: number, lastSeq: bigint, count: number, chain: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(KIND_EPOCH_CLOSE), u32le(epoch), u64le(lastSeq), u32le(count), chain);
}

// ---- decoder ----

function fail(message: string): never { throw new ReadingsFormatError(message); }

/**
 * Decodes one record. TypeError for a non-Uint8Array; ReadingsFormatError
 * (code 'format') for anything that is not a well-formed v1 record. The
 * returned fields are copies: the caller may reuse `bytes`.
 */
export function decodeRecord(input: Uint8Array): SealedRecord {
  if (!(input instanceof Uint8Array)) throw new TypeError('record: expected Uint8Array');
  const bytes = input.slice();
  if (bytes.length === 0) fail('record: empty');
  const v = view(bytes);
  const kind = bytes[0];
  switch (kind) {
    case KIND_EPOCH_OPEN: {
      if (bytes.length < OPEN_FIXED_BYTES + WRAP_BYTES) fail(`EPOCH_OPEN: at least ${OPEN_FIXED_BYTES + WRAP_BYTES} bytes, got ${bytes.length}`);
      const n = bytes[45];
      if (n === 0) fail('EPOCH_OPEN: no readers (n = 0)');
      const want = OPEN_FIXED_BYTES + n * WRAP_BYTES;
      if (bytes.length !== want) fail(`EPOCH_OPEN: n = ${n} needs ${want} bytes, got ${bytes.length}`);
      const epoch = v.getUint32(1, true);
      if (epoch === 0) fail('EPOCH_OPEN: epoch 0 (epochs start at 1)');
      const firstSeq = v.getBigUint64(5, true);
      if (firstSeq === 0n) fail('EPOCH_OPEN: first_seq 0 (sequence numbers start at 1)');
      const wraps: Wrap[] = [];
      for (let i = 0; i < n; i++) {
        const at = 46 + i * WRAP_BYTES;
        wraps.push({ reader: bytes.slice(at, at + 32), enc: bytes.slice(at + 32, at + 64), ct: bytes.slice(at + 64, at + WRAP_BYTES) });
      }
      const sigAt = want - SIGNATURE_BYTES;
      return {
        kind, epoch, firstSeq, prevChain: bytes.slice(13, 45), wraps,
        sig: bytes.slice(sigAt), signed: bytes.slice(0, sigAt), bytes,
      };
    }
    case KIND_READING: {
      if (bytes.length < READING_OVERHEAD_BYTES) fail(`READING: at least ${READING_OVERHEAD_BYTES} bytes, got ${bytes.length}`);
      const epoch = v.getUint32(1, true);
      if (epoch === 0) fail('READING: epoch 0');
      const seq = v.getBigUint64(5, true);
      if (seq === 0n) fail('READING: seq 0');
      return {
        kind, epoch, seq, feed: v.getUint16(13, true),
        ciphertext: bytes.slice(READING_HEADER_BYTES), headerTail: bytes.slice(1, READING_HEADER_BYTES), bytes,
      };
    }
    case KIND_EPOCH_CLOSE: {
      if (bytes.length !== CLOSE_BYTES) fail(`EPOCH_CLOSE: expected ${CLOSE_BYTES} bytes, got ${bytes.length}`);
      const epoch = v.getUint32(1, true);
      if (epoch === 0) fail('EPOCH_CLOSE: epoch 0');
      const sigAt = CLOSE_BYTES - SIGNATURE_BYTES;
      return {
        kind, epoch, lastSeq: v.getBigUint64(5, true), count: v.getUint32(13, true),
        chain: bytes.slice(17, 49), sig: bytes.slice(sigAt), signed: bytes.slice(0, sigAt), bytes,
      };
    }
    default:
      return fail(`record: unknown kind ${kind}`);
  }
}
