// Names of what the core keeps in the board's storage (hal_storage_*). Short
// ASCII keys: ESP-IDF NVS allows 15 characters. Values are raw bytes.
//
//   sl.id     32  Ed25519 seed: the device identity (identity.ts)
//   sl.claim 196  enrollment in progress: relay binding, claim psk, claim_id, owner key (conf.ts)
//   sl.enr   196  enrolled: relay binding, device psk, admission key, owner key (conf.ts)
//   sl.ctr     8  initiation counter reservation (handshake.ts)
//   sl.qi      8  queue head and tail (queue.ts)
//   sl.qXXXXXXXX  one unacknowledged DATA body each (queue.ts)
//   sl.rd     64  sealed readings: epoch, open flag, first/next seq, chain, queue tail (readings.ts);
//                 never the epoch key

import { HAL_EINVAL, hal_storage_get, hal_storage_put, hal_storage_delete } from "../hal.generated";

export const KEY_ID: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x69, 0x64]);
export const KEY_ID_BYTES: u32 = 5;
export const KEY_CLAIM: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x63, 0x6c, 0x61, 0x69, 0x6d]);
export const KEY_CLAIM_BYTES: u32 = 8;
export const KEY_ENROLLED: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x65, 0x6e, 0x72]);
export const KEY_ENROLLED_BYTES: u32 = 6;
export const KEY_COUNTER: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x63, 0x74, 0x72]);
export const KEY_COUNTER_BYTES: u32 = 6;
export const KEY_QUEUE_INDEX: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x71, 0x69]);
export const KEY_QUEUE_INDEX_BYTES: u32 = 5;
export const KEY_READINGS: usize = memory.data<u8>([0x73, 0x6c, 0x2e, 0x72, 0x64]);
export const KEY_READINGS_BYTES: u32 = 5;

/** Reads exactly `len` bytes stored under key; returns the HAL status (HAL_EINVAL for another length). */
export function storageGetExact(key: usize, keyLen: u32, out: usize, len: u32): i32 {
  const n = hal_storage_get(key, keyLen, out, len);
  if (n < 0) return n;
  return HAL_EINVAL * <i32>(n != <i32>len); // HAL_EINVAL for another length
}

/** Stores len bytes under key; returns the HAL status. */
// @ts-ignore: decorator
@inline export function storagePut(key: usize, keyLen: u32, value: usize, len: u32): i32 {
  return hal_storage_put(key, keyLen, value, len);
}

/** Deletes key (a missing key is not an error); returns the HAL status. */
// @ts-ignore: decorator
@inline export function storageDelete(key: usize, keyLen: u32): i32 {
  return hal_storage_delete(key, keyLen);
}
