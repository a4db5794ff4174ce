// TCP framing (protocol §2): every message is preceded by its length, a 2-byte
// big-endian unsigned integer. A length below HEADER_BYTES or above
// MAX_MESSAGE_BYTES is an error: the connection closes.

import { HEADER_BYTES, MAX_MESSAGE_BYTES, TCP_LENGTH_BYTES } from './constants.ts';

export class FramingError extends Error {
  readonly code = 'bad-length';
  constructor(readonly length: number) {
    super(`tcp framing: bad message length ${length}`);
    this.name = 'FramingError';
  }
}

/** length(2, BE) || message. */
export function frameTcp(message: Uint8Array): Uint8Array {
  if (message.length < HEADER_BYTES || message.length > MAX_MESSAGE_BYTES) throw new RangeError(`tcp framing: cannot send ${message.length} bytes`);
  const out = new Uint8Array(TCP_LENGTH_BYTES + message.length);
  out[0] = message.length >>> 8;
  out[1] = message.length & 0xff;
  out.set(message, TCP_LENGTH_BYTES);
  return out;
}

/** Stream reassembly: push chunks as they arrive, get whole messages out. */
export class TcpFrameDecoder {
  private buf = new Uint8Array(0);
  private failed = false;

  /**
   * Append `chunk`; return every message now complete (copies, in order).
   * Throws FramingError on a bad length; the decoder then stays failed.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new FramingError(-1);
    let data: Uint8Array;
    if (this.buf.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.buf.length + chunk.length);
      data.set(this.buf);
      data.set(chunk, this.buf.length);
    }
    const out: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= TCP_LENGTH_BYTES) {
      const len = (data[at] << 8) | data[at + 1];
      if (len < HEADER_BYTES || len > MAX_MESSAGE_BYTES) {
        this.failed = true;
        this.buf = new Uint8Array(0);
        throw new FramingError(len);
      }
      if (data.length - at - TCP_LENGTH_BYTES < len) break;
      out.push(data.slice(at + TCP_LENGTH_BYTES, at + TCP_LENGTH_BYTES + len));
      at += TCP_LENGTH_BYTES + len;
    }
    this.buf = at === data.length ? new Uint8Array(0) : data.slice(at);
    return out;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.buf.length;
  }
}
