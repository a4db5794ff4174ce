// The sensor core's entry points. Only this file and crypto-api.ts (the
// crypto ones, re-exported below; crypto-core.ts builds them alone) export
// functions.
//
// Every export takes offsets into the exchange buffer (io.ts), never raw
// addresses, and returns an i32 status. Ranges are checked here, once, so
// the code below can assume valid, in-bounds pointers. Lengths and offsets
// are public; everything behind them may be secret.

import { IO, ioFits } from "./io";
import { HAL_OK, HAL_EINVAL } from "./hal.generated";
import {
  deviceInit, deviceStep, deviceOnPacket, deviceEnroll, deviceSend, deviceReading, deviceStatus,
} from "./protocol/device";
import { tcpRxPtr, tcpRxBytes } from "./protocol/tcp";
import { ID_ED25519 } from "./protocol/identity";
import { STATUS_RECORD_BYTES } from "./protocol/status";

// WAMR shrinks linear memory to __heap_base when the module exports these and
// never grows memory (docs/memory.md).
export { __heap_base, __data_end };

// The crypto entry points (crypto_*, fw_io_*), also built alone by firmware/crypto-core.ts.
export * from "./crypto-api";

// ---- the device protocol (docs/protocol.md; firmware/protocol/) ----
// These return HAL status codes (hal/contract.json), not the crypto STATUS_*.

/** Boots the core: loads the identity (creating it on first boot), counters, queue and enrollment. */
export function fw_init(): i32 { return deviceInit(); }

/** Runs due timers (handshake retry, rekey, keepalive, resend); returns ms until it wants to run again. */
export function fw_step(): i32 { return deviceStep(); }

/** Where the board copies received bytes; ask before every receive (it moves during TCP reassembly). */
export function fw_rx_ptr(): usize { return tcpRxPtr(); }

/** How many bytes the board may copy to fw_rx_ptr(); ask before every receive. */
export function fw_rx_bytes(): u32 { return tcpRxBytes(); }

/** Processes len bytes received from handle (UDP: one datagram; TCP: any chunk). */
export function fw_on_packet(handle: i32, len: u32): i32 { return deviceOnPacket(handle, len); }

/** Starts enrollment with the binary claim bundle at off (firmware/protocol/conf.ts). */
export function fw_enroll(off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return HAL_EINVAL;
  return deviceEnroll(IO + off, len);
}

/** Queues one DATA body; it is kept in storage until the relay acknowledges it. */
export function fw_send(off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return HAL_EINVAL;
  return deviceSend(IO + off, len);
}

/**
 * Seals len payload bytes at off as the next READING of feed (0..0xffff),
 * opening, closing and rotating epochs as needed (docs/readings.md), and
 * queues every record like fw_send. len <= 1362 (one DATA body less the
 * READING overhead). HAL_OK; HAL_EINVAL when not enrolled or for bad
 * arguments; HAL_ENOSPC when the queue is full (nothing changes); or the
 * status of a failed storage write or RNG draw (firmware/protocol/readings.ts).
 */
export function fw_reading(feed: u32, off: u32, len: u32): i32 {
  if (!ioFits(off, len)) return HAL_EINVAL;
  return deviceReading(feed, IO + off, len);
}

/** Writes the status record (firmware/protocol/status.ts, 104 bytes) at off. */
export function fw_status(off: u32): i32 {
  if (!ioFits(off, STATUS_RECORD_BYTES)) return HAL_EINVAL;
  deviceStatus(IO + off);
  return HAL_OK;
}

/** Writes the device's Ed25519 public key (32 bytes) at off; zeros before fw_init. */
export function fw_public_key(off: u32): i32 {
  if (!ioFits(off, 32)) return HAL_EINVAL;
  memory.copy(IO + off, ID_ED25519, 32);
  return HAL_OK;
}
