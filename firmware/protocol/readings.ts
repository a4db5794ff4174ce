// Sealed readings on the device (docs/readings.md): fw_reading seals one
// payload as the next READING of a feed, opening, closing and rotating epochs
// itself exactly as the TypeScript reference does (cloud/readings/sealer.ts:
// the same budgets, the same RNG draws in the same order), and queues every
// record in the storage-backed DATA queue (queue.ts), which re-sends it until
// the relay acknowledges it and keeps it across a reboot.
//
// Reboot policy: the epoch key K_E lives in RAM only; a reboot ends the epoch.
// After a reboot the restored epoch has no key, so the next fw_reading closes
// it (EPOCH_CLOSE needs only the chain and the device's signature) and opens
// E+1 whose prev_chain is that epoch's final chain. To the owner an honest
// reboot is an epoch that closed early: signed, complete, linked, nothing for
// the verifier to excuse, so a relay that deletes records is still caught by
// the same checks. Continuing the epoch instead would need K_E in storage
// next to the identity seed, one more secret at rest, and a reservation
// protocol to keep a half-written record from sharing (K_E, seq) with the
// next one. Here no (K_E, seq) pair can be used twice whatever instruction the
// power fails at: a key never outlives the RAM it was drawn into, and within
// one boot seq only grows (a record the queue refused drops the key too).
//
// Crash consistency: the sealer's public state (epoch, open flag, first and
// next seq, chain; sealer.ts readingsExport) is saved under sl.rd together
// with the queue tail it accounts for, after each record enters the queue.
// A power cut between the two leaves records in the queue that the saved
// state does not know: at boot they are read back from the queue and applied
// (readingsReplay), so the chain and seq continue exactly after the last
// record that will be sent. Records are not sent while the state that
// accounts for them is unsaved (readingsDurable gates the queue), so the ones
// boot must replay are always still in storage.
//
// Constant time: the seed and K_E pass only through the sealer's primitives.
// Budgets, deadlines, sequence numbers and record headers are public (the
// relay sees every epoch boundary), so branching on them leaks nothing.
// Conditions use | and & rather than ?:, || and && (no select: ct-select.ts).

import { wipe } from "../crypto/ct";
import { HAL_OK, HAL_EINVAL, HAL_ENOENT, HAL_ENOSPC, hal_rng_fill } from "../hal.generated";
import {
  READINGS_IMAGE_BYTES, READINGS_READING_OVERHEAD_BYTES,
  readingsBegin, readingsSeal, readingsClose, readingsExport, readingsImport, readingsReplay, readingsForgetKey,
  readingsIsOpen, readingsIsKeyed, readingsEpoch, readingsFirstSeq, readingsNextSeq,
} from "../readings/sealer";
import { READINGS, READINGS_BYTES, SCRATCH, TX, LINK_BUFFER_BYTES } from "./mem";
import { CONF_OWNER } from "./conf";
import { ID_ED25519, identitySeed } from "./identity";
import { queueTail, queueRoom, queueGet, queuePush } from "./queue";
import { KEY_READINGS, KEY_READINGS_BYTES, storageGetExact, storagePut } from "./store";
import { DATA_MAX_BYTES } from "./wire";

/** Epoch length in readings: EPOCH_READINGS ± EPOCH_READINGS_JITTER (64 ± 25 %), uniform from the RNG. */
export const EPOCH_READINGS: u32 = 64;
export const EPOCH_READINGS_JITTER: u32 = 16;
/** Epoch length in time: EPOCH_TIME_MS ± EPOCH_TIME_JITTER_MS (1 h ± 10 min). */
export const EPOCH_TIME_MS: u64 = 3_600_000;
export const EPOCH_TIME_JITTER_MS: u32 = 600_000;
/** Largest fw_reading payload: one DATA body (DATA_MAX_BYTES, 1393) less the READING overhead (31): 1362. */
export const READING_PAYLOAD_MAX_BYTES: u32 = DATA_MAX_BYTES - <u32>READINGS_READING_OVERHEAD_BYTES;
/** Records one fw_reading queues at most: EPOCH_CLOSE, EPOCH_OPEN, READING. */
const RECORDS_PER_READING_MAX: u32 = 3;

// READINGS layout. [0, RD_SAVED_BYTES) is stored as sl.rd.
const RD_IMAGE: usize = 0;     // sealer state (READINGS_IMAGE_BYTES = 56) consistent with the queue
const RD_QTAIL: usize = 56;    // u32: queue tail just past the last record the image accounts for
const RD_SAVED_BYTES: u32 = 64; // + 4 reserved zero bytes
const RD_DIRTY: usize = 64;    // u32: 1 while [0, 64) differs from sl.rd (a failed put)
const RD_BUDGET: usize = 68;   // u32: reading budget of the keyed epoch
const RD_DEADLINE: usize = 72; // u64: clock (ms) at which the keyed epoch's time is spent

// SECRET scratch while sealing (protocol SCRATCH, wiped before returning).
const W_SEED: usize = 0;       // the device's Ed25519 seed (32)
const W_RND: usize = 32;       // K_E || HPKE ephemeral secret of reader 0 (64)
const W_JITTER: usize = 96;    // 4 bytes reading budget, 4 bytes time budget
const W_BYTES: usize = 104;

/** Stores [0, 64) as sl.rd; clears or sets the dirty flag. HAL status. */
function persist(): i32 {
  let st = storagePut(KEY_READINGS, KEY_READINGS_BYTES, READINGS, RD_SAVED_BYTES);
  st = st & (st >> 31); // the negative status, or HAL_OK
  store<u32>(READINGS + RD_DIRTY, <u32>(st != HAL_OK));
  return st;
}

/** The sealer state now matches the queue up to its tail: keep it (in RAM at once, in storage if it can). */
function save(): void {
  readingsExport(READINGS + RD_IMAGE);
  store<u32>(READINGS + RD_QTAIL, queueTail());
  persist();
}

/** Back to the last state consistent with the queue, without an epoch key. */
function rollback(): void {
  readingsImport(ID_ED25519, READINGS + RD_IMAGE);
}

/**
 * Queues the record the sealer wrote to TX (length n, or a negative sealer
 * status). On any failure the sealer goes back to the last consistent state
 * without a key: the record never left the device, and its key is never used
 * again (the next fw_reading closes the epoch, nothing reuses (K_E, seq)).
 */
function commit(n: i32): i32 {
  if (n < 0) {
    rollback();
    return HAL_EINVAL;
  }
  const st = queuePush(TX, <u32>n);
  if (st != HAL_OK) {
    rollback();
    return st;
  }
  save();
  return HAL_OK;
}

/** base - spread + (u32 at p) % (2 spread + 1): cloud/readings/sealer.ts jittered(). */
function jittered(base: u64, spread: u32, p: usize): u64 {
  return base - <u64>spread + <u64>(load<u32>(p) % (2 * spread + 1));
}

/**
 * Boot (fw_init, after identityLoad and queueLoad): restores the sealer state
 * from sl.rd and replays records queued after it was saved. An epoch open
 * before the reboot stays open without a key (the next fw_reading closes it).
 */
export function readingsLoad(): i32 {
  wipe(READINGS, READINGS_BYTES);
  let st = storageGetExact(KEY_READINGS, KEY_READINGS_BYTES, READINGS, RD_SAVED_BYTES);
  if (st == HAL_ENOENT) {
    // A fresh device: no epoch yet, seq starts at 1, prev_chain of epoch 1 is
    // zero. Dirty, so that the first fw_reading saves this (with the queue
    // tail) before queueing anything boot would have to replay.
    wipe(READINGS, READINGS_BYTES);
    store<u64>(READINGS + RD_IMAGE + 16, 1);
    store<u32>(READINGS + RD_QTAIL, queueTail());
    store<u32>(READINGS + RD_DIRTY, 1);
    st = HAL_OK;
  }
  if (st != HAL_OK) return st;
  readingsImport(ID_ED25519, READINGS + RD_IMAGE);
  // One fw_reading queues its records back to back and saves after each, so
  // at most RECORDS_PER_READING_MAX of them lie past the saved tail.
  let at = load<u32>(READINGS + RD_QTAIL);
  let replayed: u32 = 0;
  for (let i: u32 = 0; i < RECORDS_PER_READING_MAX; i++) {
    if (at == queueTail()) break;
    const n = queueGet(at, TX, LINK_BUFFER_BYTES);
    if (n < 0) break;
    if (readingsReplay(TX, <usize>n) == 0) break;
    at++;
    replayed++;
  }
  wipe(TX, LINK_BUFFER_BYTES);
  if (replayed != 0) {
    readingsExport(READINGS + RD_IMAGE);
    store<u32>(READINGS + RD_QTAIL, at);
    persist();
  }
  return HAL_OK;
}

/**
 * True when the saved state accounts for every record in the queue (retrying
 * a failed save): only then may queued records be sent, since once the relay
 * acknowledges them they leave storage and boot could no longer replay them.
 */
export function readingsDurable(): bool {
  if (load<u32>(READINGS + RD_DIRTY) == 0) return true;
  return persist() == HAL_OK;
}

/** A new claim (fw_enroll): the reader set may change, so the epoch ends at the next reading. */
export function readingsOnEnroll(): void {
  readingsForgetKey();
}

/**
 * fw_reading: seals len bytes at payload as the next READING of `feed`,
 * closing the epoch first when its reading or time budget is spent (or it has
 * no key: after a reboot or a new claim) and opening one when none is open,
 * and queues every record. Returns HAL_OK; HAL_EINVAL for feed > 0xffff or
 * len > READING_PAYLOAD_MAX_BYTES; HAL_ENOSPC when the queue lacks room for
 * all the records (nothing changes); or the HAL status of a failed storage
 * read/write or RNG draw (nothing from this reading was queued; records that
 * were queued before the failure stay valid and accounted for).
 */
export function readingsPush(feed: u32, payload: usize, len: u32, now: u64): i32 {
  if ((<u32>(feed > 0xffff) | <u32>(len > READING_PAYLOAD_MAX_BYTES)) != 0) return HAL_EINVAL;
  const open = readingsIsOpen();
  const used = readingsNextSeq() - readingsFirstSeq();
  const spent = open & (<u32>(readingsIsKeyed() == 0) | <u32>(used >= <u64>load<u32>(READINGS + RD_BUDGET))
    | <u32>(now >= load<u64>(READINGS + RD_DEADLINE)));
  const opening = <u32>(open == 0) | spent;
  if (queueRoom() < spent + opening + 1) return HAL_ENOSPC;

  // Records fw_send queued since the last save come before ours: move the
  // saved tail past them first, so boot replays from the first of ours.
  if ((load<u32>(READINGS + RD_DIRTY) | <u32>(load<u32>(READINGS + RD_QTAIL) != queueTail())) != 0) {
    store<u32>(READINGS + RD_QTAIL, queueTail());
    const st = persist();
    if (st != HAL_OK) return st;
  }

  // What can fail without side effects comes first: the seed, then the
  // randomness in the reference sealer's order (K_E and the ephemeral, then
  // 4 bytes for the reading budget, 4 for the time budget).
  const w = SCRATCH;
  let st = identitySeed(w + W_SEED);
  if ((<u32>(st == HAL_OK) & opening) != 0) {
    st = hal_rng_fill(w + W_RND, 64);
    if (st == HAL_OK) st = hal_rng_fill(w + W_JITTER, 4);
    if (st == HAL_OK) st = hal_rng_fill(w + W_JITTER + 4, 4);
  }
  if (st == HAL_OK && spent != 0) st = commit(readingsClose(TX, w + W_SEED));
  if (st == HAL_OK && opening != 0) {
    // prev_chain: the final chain in the saved image (zeros before epoch 1).
    st = commit(readingsBegin(TX, w + W_SEED, CONF_OWNER, 1, readingsEpoch() + 1, readingsNextSeq(),
      READINGS + RD_IMAGE + 24, w + W_RND));
    if (st == HAL_OK) {
      store<u32>(READINGS + RD_BUDGET, <u32>jittered(EPOCH_READINGS, EPOCH_READINGS_JITTER, w + W_JITTER));
      store<u64>(READINGS + RD_DEADLINE, now + jittered(EPOCH_TIME_MS, EPOCH_TIME_JITTER_MS, w + W_JITTER + 4));
    }
  }
  if (st == HAL_OK) st = commit(readingsSeal(TX, feed, payload, len));
  wipe(w, W_BYTES);
  return st & (st >> 31);
}

/**
 * The sealing fields of the status record (status.ts, offsets 84..104): the
 * current (or last) epoch, the next seq, readings in the open epoch, flags.
 */
export function readingsStatus(out: usize): void {
  const open = readingsIsOpen();
  const next = readingsNextSeq();
  store<u32>(out + 84, readingsEpoch());
  store<u64>(out + 88, next);
  store<u32>(out + 96, <u32>(next - readingsFirstSeq()) * open);
  store<u32>(out + 100, open | (readingsIsKeyed() << 1) | (load<u32>(READINGS + RD_DIRTY) << 2));
}
