// Unacknowledged DATA, kept in the board's storage rather than RAM (16 KiB is
// the whole core): fw_send appends one item, the relay's ACK retires it, and
// whatever is unacknowledged when a session ends is sent again on the next
// one, so nothing is lost across a rekey or a reboot. Delivery is at least
// once; readings carry their own sequence numbers (DESIGN: AAD = device DID,
// feed, epoch, sequence), so a duplicate is recognisable end to end.
//
// Items are numbered; [head, tail) are stored, [head, next) have been sent
// (some perhaps acknowledged out of order: ACKED bits), and FLIGHT maps each
// sent item to the record that carried it: session generation and transport
// counter (session.ts recordKey). An ACK names one record that carried DATA,
// on the session it arrived on (docs/protocol.md §6 as the relay implements
// it), so a lost record is never acknowledged by a later one. One DATA frame
// per record keeps the map a ring of INFLIGHT_MAX keys.

import { HAL_OK, HAL_ENOENT, HAL_ENOSPC, hal_storage_get } from "../hal.generated";
import { QUEUE } from "./mem";
import { KEY_QUEUE_INDEX, KEY_QUEUE_INDEX_BYTES, storageGetExact, storagePut, storageDelete } from "./store";

/** Records carrying DATA that may be unacknowledged at once. */
export const INFLIGHT_MAX: u32 = 8;
/** Items the queue holds before fw_send refuses with HAL_ENOSPC. */
export const QUEUE_MAX_ITEMS: u32 = 4096;
/** Unacknowledged DATA is sent again after this long without progress. */
export const RESEND_TIMEOUT_MS: u64 = 5_000;

const Q_HEAD: usize = 0;      // u32, persisted with Q_TAIL as sl.qi
const Q_TAIL: usize = 4;      // u32
const Q_NEXT: usize = 8;      // u32
const Q_KEY: usize = 12;      // "sl.q" + 8 hex digits
const Q_KEY_BYTES: u32 = 12;
const Q_ACKED: usize = 24;    // u32: bit (seq % INFLIGHT_MAX) set = item seq acknowledged
const Q_PROGRESS_MS: usize = 32; // u64: last send of the oldest item or last ACK progress
const Q_FLIGHT: usize = 40;   // INFLIGHT_MAX x u64 record keys
const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

/** Restores head and tail after boot; nothing counts as sent. */
export function queueLoad(): i32 {
  let st = storageGetExact(KEY_QUEUE_INDEX, KEY_QUEUE_INDEX_BYTES, QUEUE + Q_HEAD, 8);
  if (st == HAL_ENOENT) {
    store<u64>(QUEUE + Q_HEAD, 0);
    st = HAL_OK;
  }
  store<u32>(QUEUE + Q_NEXT, load<u32>(QUEUE + Q_HEAD));
  store<u32>(QUEUE + Q_ACKED, 0);
  return st;
}

function saveIndex(): i32 {
  return storagePut(KEY_QUEUE_INDEX, KEY_QUEUE_INDEX_BYTES, QUEUE + Q_HEAD, 8);
}

/** Builds the storage key of item seq. */
function itemKey(seq: u32): usize {
  const k = QUEUE + Q_KEY;
  store<u32>(k, 0x712e6c73); // "sl.q"
  for (let i: u32 = 0; i < 8; i++) store<u8>(k + 4 + i, load<u8>(HEX + ((seq >> (28 - 4 * i)) & 15)));
  return k;
}

function bit(seq: u32): u32 {
  return (<u32>1) << (seq % INFLIGHT_MAX);
}

function isAcked(seq: u32): bool {
  return (load<u32>(QUEUE + Q_ACKED) & bit(seq)) != 0;
}

/** Items stored and not yet acknowledged. */
export function queueLength(): u32 {
  return load<u32>(QUEUE + Q_TAIL) - load<u32>(QUEUE + Q_HEAD);
}

/** Items sent (in this session or before a rewind) and not yet retired. */
export function queueInFlight(): u32 {
  return load<u32>(QUEUE + Q_NEXT) - load<u32>(QUEUE + Q_HEAD);
}

/** Number the next pushed item gets (items are numbered; u32, wraps). */
export function queueTail(): u32 {
  return load<u32>(QUEUE + Q_TAIL);
}

/** Items queuePush still accepts before HAL_ENOSPC. */
export function queueRoom(): u32 {
  return QUEUE_MAX_ITEMS - queueLength();
}

/**
 * Reads stored item `seq` (pushed, not yet retired) into out (at most max
 * bytes): its length, or a negative HAL status when it is not in storage.
 * Only for the readings sealer's recovery at boot (readings.ts).
 */
export function queueGet(seq: u32, out: usize, max: u32): i32 {
  if (seq - load<u32>(QUEUE + Q_HEAD) >= queueLength()) return HAL_ENOENT;
  return hal_storage_get(itemKey(seq), Q_KEY_BYTES, out, max);
}

/** Appends one DATA body; HAL status (HAL_ENOSPC when full). */
export function queuePush(data: usize, len: u32): i32 {
  const tail = load<u32>(QUEUE + Q_TAIL);
  if (queueLength() >= QUEUE_MAX_ITEMS) return HAL_ENOSPC;
  // Item first, index second: a power cut between the two leaves an orphan
  // item that the next push overwrites, never an index naming a missing item.
  let st = storagePut(itemKey(tail), Q_KEY_BYTES, data, len);
  if (st < 0) return st;
  store<u32>(QUEUE + Q_TAIL, tail + 1);
  st = saveIndex();
  if (st < 0) store<u32>(QUEUE + Q_TAIL, tail);
  return st & (st >> 31); // the negative status, or HAL_OK
}

/** Skips items already acknowledged (after a rewind); true when one is waiting and the window has room. */
export function queueCanSend(): bool {
  let next = load<u32>(QUEUE + Q_NEXT);
  const tail = load<u32>(QUEUE + Q_TAIL);
  while (next != tail && next - load<u32>(QUEUE + Q_HEAD) < INFLIGHT_MAX && isAcked(next)) next++;
  store<u32>(QUEUE + Q_NEXT, next);
  return next != tail && next - load<u32>(QUEUE + Q_HEAD) < INFLIGHT_MAX;
}

/**
 * Reads the next unsent item (call after queueCanSend) into out (at most max
 * bytes) and records that it travels in the record `key`. Returns its length,
 * or -1 when it is gone from storage (retired just before a power cut): it
 * then counts as acknowledged.
 */
export function queueTake(out: usize, max: u32, key: u64, now: u64): i32 {
  const seq = load<u32>(QUEUE + Q_NEXT);
  let n = hal_storage_get(itemKey(seq), Q_KEY_BYTES, out, max);
  if (n < 0) {
    store<u32>(QUEUE + Q_ACKED, load<u32>(QUEUE + Q_ACKED) | bit(seq));
    n = -1;
  }
  if (seq == load<u32>(QUEUE + Q_HEAD)) store<u64>(QUEUE + Q_PROGRESS_MS, now);
  store<u64>(QUEUE + Q_FLIGHT + ((<usize>seq % INFLIGHT_MAX) << 3), key);
  store<u32>(QUEUE + Q_NEXT, seq + 1);
  return n;
}

/**
 * The relay acknowledged record `key`: marks the item it carried, then
 * retires (deletes) acknowledged items from the head. Returns 1 when the ACK
 * named an unacknowledged item, else 0 (duplicate, stale or unknown).
 */
export function queueAck(key: u64, now: u64): u32 {
  let head = load<u32>(QUEUE + Q_HEAD);
  const tail = load<u32>(QUEUE + Q_TAIL);
  // Items rewound but not yet sent again still hold the key of the record
  // they went in, so a late ACK on the previous session retires them too.
  let end = tail;
  if (tail - head > INFLIGHT_MAX) end = head + INFLIGHT_MAX;
  let acked = load<u32>(QUEUE + Q_ACKED);
  let found: u32 = 0;
  for (let seq = head; seq != end; seq++) {
    if (load<u64>(QUEUE + Q_FLIGHT + ((<usize>seq % INFLIGHT_MAX) << 3)) == key) {
      found |= ((acked >> (seq % INFLIGHT_MAX)) & 1) ^ 1; // newly acknowledged
      acked |= bit(seq);
    }
  }
  const first = head;
  while (head != end) {
    if ((acked & bit(head)) == 0) break;
    storageDelete(itemKey(head), Q_KEY_BYTES);
    acked &= ~bit(head);
    // A free slot holds no key (0: generations start at 1), so an ACK for a
    // record of a retired item can never mark the item that reuses the slot.
    store<u64>(QUEUE + Q_FLIGHT + ((<usize>head % INFLIGHT_MAX) << 3), 0);
    head++;
  }
  if (load<u32>(QUEUE + Q_NEXT) - load<u32>(QUEUE + Q_HEAD) < head - load<u32>(QUEUE + Q_HEAD)) store<u32>(QUEUE + Q_NEXT, head);
  store<u32>(QUEUE + Q_ACKED, acked);
  if (head != first) {
    store<u32>(QUEUE + Q_HEAD, head);
    store<u64>(QUEUE + Q_PROGRESS_MS, now);
    saveIndex();
  }
  return found;
}

/** Marks every unacknowledged item unsent again: a new session, or the resend timer. */
export function queueRewind(now: u64): void {
  store<u32>(QUEUE + Q_NEXT, load<u32>(QUEUE + Q_HEAD));
  store<u64>(QUEUE + Q_PROGRESS_MS, now);
}

/** When the resend timer fires (meaningful only while queueInFlight() > 0). */
export function queueResendAt(): u64 {
  return load<u64>(QUEUE + Q_PROGRESS_MS) + RESEND_TIMEOUT_MS;
}
