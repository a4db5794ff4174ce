// The core's status record (firmware/protocol/status.ts, 104 bytes,
// little-endian) decoded for the host side of a simulated board.

/** Device states, numbered as firmware/protocol/status.ts STATE_*. */
export const STATE = { UNENROLLED: 0, ENROLLING: 1, CONNECTING: 2, ESTABLISHED: 3 } as const;
/** Last-error codes, as firmware/protocol/status.ts ERR_*. */
export const DEVICE_ERROR = { NONE: 0, WRONG_RELAY: 1, STORAGE: 2, RNG: 3, LINK: 4, HANDSHAKE: 5 } as const;
export const STATUS_RECORD_BYTES = 104;

export interface DeviceStatus {
  state: number; transport: number; handshaking: boolean; cookie: boolean; error: number;
  /** DATA items queued and not yet acknowledged. */
  queued: number; inFlight: number; initiationCounter: bigint; sendCounter: bigint; sessionAgeMs: bigint;
  dropped: number; wrongRelay: number; handshakesSent: number; sessions: number; recordsSent: number;
  recordsReceived: number; acked: number; dataReceived: number; linkResets: number; cookies: number; rekeyInMs: number;
  /** Sealed readings: the open epoch, or the last closed one (0 before the first). */
  epoch: number;
  /** Sequence number the next reading gets (1 on a fresh device). */
  nextSeq: bigint;
  /** Readings sealed in the open epoch. */
  epochReadings: number;
  /** 1: an epoch is open; 2: its key is in RAM; 4: the sealer state is not saved yet. */
  sealerFlags: number;
}

/** Decodes a status record. RangeError for a wrong length. */
export function decodeStatus(b: Uint8Array): DeviceStatus {
  if (b.length !== STATUS_RECORD_BYTES) throw new RangeError(`status record: expected ${STATUS_RECORD_BYTES} bytes, got ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const u = (o: number) => v.getUint32(o, true);
  return {
    state: b[0], transport: b[1], handshaking: b[2] === 1, cookie: b[3] === 1, error: v.getInt32(4, true),
    queued: u(8), inFlight: u(12), initiationCounter: v.getBigUint64(16, true), sendCounter: v.getBigUint64(24, true),
    sessionAgeMs: v.getBigUint64(32, true), dropped: u(40), wrongRelay: u(44), handshakesSent: u(48), sessions: u(52),
    recordsSent: u(56), recordsReceived: u(60), acked: u(64), dataReceived: u(68), linkResets: u(72), cookies: u(76),
    rekeyInMs: u(80), epoch: u(84), nextSeq: v.getBigUint64(88, true), epochReadings: u(96), sealerFlags: u(100),
  };
}
