// TCP framing (docs/protocol.md §2): each message is preceded by its length,
// 2 bytes big-endian; a length below 4 or above MAX_MESSAGE_BYTES closes the
// connection. The receive buffer doubles as the reassembly buffer: an
// incomplete message is moved to its start and fw_rx_ptr / fw_rx_bytes then
// name the free space after it, so a board that asks for both before every
// receive (as it must) never needs a second 1.5 KB buffer.

import { copy } from "../crypto/ct";
import { RX, LINK_BUFFER_BYTES, TCP_STATE } from "./mem";
import { MAX_MESSAGE_BYTES, MIN_MESSAGE_BYTES, TCP_PREFIX_BYTES } from "./wire";

const T_PENDING: usize = 0; // u32: bytes held in RX from its start
const T_AT: usize = 4;      // u32: offset of the next unread length prefix

/** Where the board writes the next received bytes. */
export function tcpRxPtr(): usize {
  return RX + load<u32>(TCP_STATE + T_PENDING);
}

/** How many bytes the board may write there (at least 1: a partial message is at most 1473 bytes). */
export function tcpRxBytes(): u32 {
  return LINK_BUFFER_BYTES - load<u32>(TCP_STATE + T_PENDING);
}

/** Forgets any partial message (new connection, or the stream was refused). */
export function tcpReset(): void {
  store<u64>(TCP_STATE, 0);
}

/** The board appended len bytes at tcpRxPtr(). */
export function tcpReceived(len: u32): void {
  store<u32>(TCP_STATE + T_PENDING, load<u32>(TCP_STATE + T_PENDING) + len);
  store<u32>(TCP_STATE + T_AT, 0);
}

/**
 * The next complete message: returns its length (it lies at tcpMessage(len)),
 * 0 when more bytes are needed (the partial rest is moved to the start), or
 * -1 for a length the spec refuses (the caller closes the connection).
 */
export function tcpNext(): i32 {
  const pending = load<u32>(TCP_STATE + T_PENDING);
  const at = load<u32>(TCP_STATE + T_AT);
  const avail = pending - at;
  if (avail >= TCP_PREFIX_BYTES) {
    const n = (<u32>load<u8>(RX + at) << 8) | <u32>load<u8>(RX + at + 1);
    if (n < MIN_MESSAGE_BYTES || n > MAX_MESSAGE_BYTES) {
      tcpReset();
      return -1;
    }
    if (avail >= TCP_PREFIX_BYTES + n) {
      store<u32>(TCP_STATE + T_AT, at + TCP_PREFIX_BYTES + n);
      return <i32>n;
    }
  }
  if (at != 0) copy(RX, RX + at, avail);
  store<u32>(TCP_STATE + T_PENDING, avail);
  store<u32>(TCP_STATE + T_AT, 0);
  return 0;
}

/** Address of the message tcpNext() just returned (n = its length). */
export function tcpMessage(n: u32): usize {
  return RX + load<u32>(TCP_STATE + T_AT) - n;
}
