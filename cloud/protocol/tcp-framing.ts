// TCP framing (protocol §2): every message is preceded by its length, a 2-byte
// big-endian unsigned integer. A length below HEADER_BYTES or above
// MAX_MESSAGE_BYTES is an error: the messages complete before it in the stream
// are still handed out (one read often holds several), nothing after it is
// interpreted, and the connection closes.

import { HEADER_BYTES, MAX_MESSAGE_BYTES, TCP_LENGTH_BYTES } from './constants.ts';

export class FramingError extends Error {
  readonly code = 'bad-length';
  /**
   * @param length the refused length prefix (-1: the decoder had already failed)
   * @param messages the complete messages that preceded the bad length in the
   *   chunk that revealed it (push() callers that must not lose them read them here)
   */
  constructor(readonly length: number, readonly messages: readonly Uint8Array[] = []) {
    super(`tcp framing: bad message length ${length}`);
    this.name = 'FramingError';
  }
}

/** What one chunk yields: the complete messages, in order, and the framing error met after them, if any. */
export interface FrameBatch {
  messages: Uint8Array[];
  /** Non-null once a bad length was met: handle `messages`, then close the connection. */
  error: FramingError | null;
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

/** Stream reassembly: feed chunks as they arrive, get whole messages out. */
export class TcpFrameDecoder {
  private buf = new Uint8Array(0);
  private failure: FramingError | null = null;

  /**
   * Append `chunk`; return every message now complete (copies, in order) and,
   * when a bad length was met, the error. Messages before the bad length are
   * returned with it (they were framed correctly); the decoder then stays failed
   * and every later chunk yields no message and the same kind of error.
   */
  decode(chunk: Uint8Array): FrameBatch {
    if (this.failure !== null) return { messages: [], error: new FramingError(-1) };
    let data: Uint8Array;
    if (this.buf.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.buf.length + chunk.length);
      data.set(this.buf);
      data.set(chunk, this.buf.length);
    }
    const messages: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= TCP_LENGTH_BYTES) {
      const len = (data[at] << 8) | data[at + 1];
      if (len < HEADER_BYTES || len > MAX_MESSAGE_BYTES) {
        this.failure = new FramingError(len, messages);
        this.buf = new Uint8Array(0);
        return { messages, error: this.failure };
      }
      if (data.length - at - TCP_LENGTH_BYTES < len) break;
      messages.push(data.slice(at + TCP_LENGTH_BYTES, at + TCP_LENGTH_BYTES + len));
      at += TCP_LENGTH_BYTES + len;
    }
    this.buf = at === data.length ? new Uint8Array(0) : data.slice(at);
    return { messages, error: null };
  }

  /**
   * Like decode(), but throws the FramingError (its `messages` hold what came
   * before the bad length). Kept for callers written against the throwing API.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const { messages, error } = this.decode(chunk);
    if (error !== null) throw error;
    return messages;
  }

  /** True once a bad length was met. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.buf.length;
  }
}
