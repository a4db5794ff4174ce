// Device-side reference sealer for sealed readings v1 (docs/readings.md), in
// TypeScript: the TS reference device and the tests use it; the sensor core
// has the same sealer in firmware/readings/sealer.ts, byte for byte (given the
// same randomness, both write identical records: test/readings/core.test.ts).
//
// Randomness comes from an injected `rng(n)` (default: @noble's randomBytes),
// drawn in this order at each epoch open: K_E (32) then one HPKE ephemeral
// secret per reader (32 each) — exactly the core's `rnd` argument — then 4
// bytes for the epoch's reading budget and 4 for its time budget.
// @noble only, no node: imports.

import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { setupAuthS } from '../crypto/hpke.ts';
import { didFromEd25519, x25519FromDid } from '../keys/did.ts';
import {
  CHAIN_BYTES, KEY_BYTES, MAX_READERS, U64_MAX, LABEL_CHAIN, type Wrap,
  concatBytes, u32le, epochInfo, epochOpenBody, readingHeader, readingAad, readingNonce, epochCloseBody,
  openSignedMessage, closeSignedMessage,
} from './records.ts';

/** Default epoch length in readings, and its jitter (± 25 %). */
export const EPOCH_READINGS = 64;
export const EPOCH_READINGS_JITTER = 0.25;
/** Default epoch length in time (1 h), and its jitter (± 10 min). */
export const EPOCH_TIME_MS = 60 * 60 * 1000;
export const EPOCH_TIME_JITTER_MS = 10 * 60 * 1000;

/** chain_0 = SHA-256("sealink/1 chain" || D || E(4) || prev_chain). */
export function chainStart(device: Uint8Array, epoch: number, prevChain: Uint8Array): Uint8Array {
  return sha256(concatBytes(LABEL_CHAIN, device, u32le(epoch), prevChain));
}
/** chain_k = SHA-256(chain_{k-1} || SHA-256(READING_k)). */
export function chainNext(chain: Uint8Array, reading: Uint8Array): Uint8Array {
  return sha256(concatBytes(chain, sha256(reading)));
}

/** A reader: its X25519 public key (32 bytes) or its did:key. */
export type ReaderKey = Uint8Array | string;

export interface EpochSealerOptions {
  /** SECRET. The device's 32-byte Ed25519 seed. */
  seed: Uint8Array;
  /** Readers of the next epoch; reader 0 is the owner. */
  readers: readonly ReaderKey[];
  /** Random bytes (default @noble randomBytes). */
  rng?: (n: number) => Uint8Array;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Base epoch length in readings (± 25 %). */
  epochReadings?: number;
  /** Base epoch length in ms (± 10 min, scaled down for short bases). */
  epochTimeMs?: number;
  /** Persisted state to resume from (default: a fresh device). */
  resume?: SealerState;
}

/** What a device persists between epochs. */
export interface SealerState {
  /** Number of the next epoch to open. */
  nextEpoch: number;
  /** Next sequence number. */
  nextSeq: bigint;
  /** Final chain of the last closed epoch (zeros before epoch 1). */
  prevChain: Uint8Array;
}

function readerKey(r: ReaderKey): Uint8Array {
  if (typeof r === 'string') return x25519FromDid(r);
  if (!(r instanceof Uint8Array)) throw new TypeError('reader: expected Uint8Array or did:key string');
  if (r.length !== 32) throw new RangeError(`reader: expected 32 bytes, got ${r.length}`);
  return r.slice();
}

/** Uniform-ish integer in [base - jitter, base + jitter] from 4 random bytes. */
function jittered(base: number, jitter: number, rnd: Uint8Array): number {
  const u = new DataView(rnd.buffer, rnd.byteOffset, 4).getUint32(0, true);
  const span = 2 * jitter + 1;
  return base - jitter + (u % span);
}

/**
 * Seals a device's readings into epochs. `seal()` opens, rotates and closes
 * epochs on its own (reading and time budgets drawn from the RNG, reader set
 * changes); `openEpoch` / `sealReading` / `closeEpoch` are the low-level steps.
 */
export class EpochSealer {
  readonly publicKey: Uint8Array;
  readonly did: string;
  readonly #seed: Uint8Array;
  readonly #xSecret: Uint8Array;
  readonly #xPublic: Uint8Array;
  readonly #rng: (n: number) => Uint8Array;
  readonly #now: () => number;
  readonly #epochReadings: number;
  readonly #epochTimeMs: number;
  #readers: Uint8Array[];
  #state: SealerState;
  #epoch: { number: number; key: Uint8Array; firstSeq: bigint; chain: Uint8Array; budget: number; deadline: number } | null = null;

  constructor(options: EpochSealerOptions) {
    const seed = options.seed;
    if (!(seed instanceof Uint8Array)) throw new TypeError('seed: expected Uint8Array');
    if (seed.length !== 32) throw new RangeError(`seed: expected 32 bytes, got ${seed.length}`);
    this.#seed = seed.slice();
    this.publicKey = ed25519.getPublicKey(seed);
    this.did = didFromEd25519(this.publicKey);
    this.#xSecret = ed25519.utils.toMontgomerySecret(seed);
    this.#xPublic = x25519.getPublicKey(this.#xSecret);
    this.#rng = options.rng ?? randomBytes;
    this.#now = options.now ?? Date.now;
    this.#epochReadings = options.epochReadings ?? EPOCH_READINGS;
    this.#epochTimeMs = options.epochTimeMs ?? EPOCH_TIME_MS;
    if (!Number.isInteger(this.#epochReadings) || this.#epochReadings < 1) throw new RangeError('epochReadings: a positive integer');
    if (!(this.#epochTimeMs > 0)) throw new RangeError('epochTimeMs: positive');
    this.#readers = this.#checkReaders(options.readers);
    const r = options.resume;
    this.#state = r
      ? { nextEpoch: r.nextEpoch, nextSeq: r.nextSeq, prevChain: r.prevChain.slice() }
      : { nextEpoch: 1, nextSeq: 1n, prevChain: new Uint8Array(CHAIN_BYTES) };
  }

  #checkReaders(readers: readonly ReaderKey[]): Uint8Array[] {
    if (!Array.isArray(readers)) throw new TypeError('readers: expected an array');
    if (readers.length < 1 || readers.length > MAX_READERS) throw new RangeError(`readers: 1..${MAX_READERS}, got ${readers.length}`);
    return readers.map(readerKey);
  }

  /** True while an epoch is open. */
  get isOpen(): boolean { return this.#epoch !== null; }
  /** The open epoch's number, or null. */
  get epoch(): number | null { return this.#epoch?.number ?? null; }
  /** What to persist: next epoch, next seq, prev chain. */
  state(): SealerState {
    return { nextEpoch: this.#state.nextEpoch, nextSeq: this.#state.nextSeq, prevChain: this.#state.prevChain.slice() };
  }

  /** Opens the next epoch for the current readers (or `readers`); returns its EPOCH_OPEN. */
  openEpoch(readers?: readonly ReaderKey[]): Uint8Array {
    if (this.#epoch) throw new Error('openEpoch: an epoch is already open');
    if (readers !== undefined) this.#readers = this.#checkReaders(readers);
    const { nextEpoch: number, nextSeq: firstSeq, prevChain } = this.#state;
    const rnd = this.#rng(KEY_BYTES * (1 + this.#readers.length));
    if (rnd.length !== KEY_BYTES * (1 + this.#readers.length)) throw new RangeError('rng: returned the wrong length');
    const key = rnd.slice(0, KEY_BYTES);
    const info = epochInfo(this.publicKey, number);
    const wraps: Wrap[] = this.#readers.map((reader, i) => {
      const skE = rnd.slice(KEY_BYTES * (1 + i), KEY_BYTES * (2 + i));
      const { enc, ctx } = setupAuthS(reader, info, this.#xSecret, { skE });
      skE.fill(0);
      return { reader, enc, ct: ctx.seal(new Uint8Array(0), key) };
    });
    rnd.fill(0);
    const body = epochOpenBody(number, firstSeq, prevChain, wraps);
    const sig = ed25519.sign(openSignedMessage(this.publicKey, body), this.#seed);
    const readingJitter = Math.floor(this.#epochReadings * EPOCH_READINGS_JITTER);
    const timeJitter = Math.min(EPOCH_TIME_JITTER_MS, Math.floor(this.#epochTimeMs / 6));
    this.#epoch = {
      number, key, firstSeq,
      chain: chainStart(this.publicKey, number, prevChain),
      budget: jittered(this.#epochReadings, readingJitter, this.#rng(4)),
      deadline: this.#now() + jittered(this.#epochTimeMs, timeJitter, this.#rng(4)),
    };
    return concatBytes(body, sig);
  }

  /** Seals one reading in the open epoch (no rotation); returns the READING. */
  sealReading(feed: number, payload: Uint8Array): Uint8Array {
    const e = this.#epoch;
    if (!e) throw new Error('sealReading: no epoch is open');
    if (!Number.isInteger(feed) || feed < 0 || feed > 0xffff) throw new RangeError('feed: an integer 0..65535');
    if (!(payload instanceof Uint8Array)) throw new TypeError('payload: expected Uint8Array');
    const seq = this.#state.nextSeq;
    if (seq >= U64_MAX) throw new RangeError('sequence numbers exhausted');
    const ct = chacha20poly1305(e.key, readingNonce(seq), readingAad(this.publicKey, e.number, seq, feed)).encrypt(payload);
    const record = concatBytes(readingHeader(e.number, seq, feed), ct);
    e.chain = chainNext(e.chain, record);
    this.#state.nextSeq = seq + 1n;
    return record;
  }

  /** Closes the open epoch (wiping its key); returns the EPOCH_CLOSE. */
  closeEpoch(): Uint8Array {
    const e = this.#epoch;
    if (!e) throw new Error('closeEpoch: no epoch is open');
    const lastSeq = this.#state.nextSeq - 1n;
    const body = epochCloseBody(e.number, lastSeq, Number(lastSeq - e.firstSeq + 1n), e.chain);
    const sig = ed25519.sign(closeSignedMessage(this.publicKey, body), this.#seed);
    e.key.fill(0);
    this.#epoch = null;
    this.#state = { nextEpoch: e.number + 1, nextSeq: this.#state.nextSeq, prevChain: e.chain };
    return concatBytes(body, sig);
  }

  /**
   * Seals a reading, rotating epochs as the spec asks: closes the epoch when
   * its reading or time budget is spent and opens one when none is open.
   * Returns the records to send, in order.
   */
  seal(feed: number, payload: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const e = this.#epoch;
    if (e) {
      const used = Number(this.#state.nextSeq - e.firstSeq);
      if (used >= e.budget || this.#now() >= e.deadline) out.push(this.closeEpoch());
    }
    if (!this.#epoch) out.push(this.openEpoch());
    out.push(this.sealReading(feed, payload));
    return out;
  }

  /** Changes the reader set: closes the open epoch (returned), the next seal opens with the new set. */
  setReaders(readers: readonly ReaderKey[]): Uint8Array[] {
    const next = this.#checkReaders(readers);
    const out = this.#epoch ? [this.closeEpoch()] : [];
    this.#readers = next;
    return out;
  }

  /** X25519 public key of the device (the HPKE sender key). */
  get x25519PublicKey(): Uint8Array { return this.#xPublic.slice(); }
}
