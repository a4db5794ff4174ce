// The device's path to the relay: one UDP "connected" socket, or one TCP
// connection with the 2-byte BE length framing (protocol §2). Both deliver whole
// messages.

import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { TcpFrameDecoder, frameTcp } from '../protocol/tcp-framing.ts';
import { TCP_LENGTH_BYTES } from '../protocol/constants.ts';

export interface Link {
  readonly kind: 'udp' | 'tcp';
  /** Send one whole message. */
  send(message: Uint8Array): void;
  /** Set the receiver of whole messages. */
  onMessage(handler: (message: Uint8Array) => void): void;
  /** Called once when the link closes (TCP: peer closed, bad framing; either: close()). */
  onClose(handler: () => void): void;
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Bytes a link carried: UDP payloads; on TCP each message counts its 2-byte length prefix too. */
export interface WireCount { up: number; down: number }

export interface LinkOptions {
  /** Source address to bind (load tests give each simulated device its own loopback address). */
  localAddress?: string;
  /** Adds the bytes sent and received here. */
  count?: WireCount;
}

/** UDP socket connected to host:port (only that peer's datagrams arrive). */
export async function openUdpLink(host: string, port: number, options: LinkOptions = {}): Promise<Link> {
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const count = options.count ?? { up: 0, down: 0 };
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    const connect = () => sock.connect(port, host, () => { sock.off('error', reject); resolve(); });
    if (options.localAddress === undefined) connect();
    else sock.bind({ address: options.localAddress, port: 0 }, connect);
  });
  let onMessage: (m: Uint8Array) => void = () => {};
  let onClose: () => void = () => {};
  let closed = false;
  sock.on('message', (m) => { count.down += m.length; onMessage(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)); });
  sock.on('error', () => {}); // ICMP unreachable etc.: UDP is lossy anyway
  sock.on('close', () => { if (!closed) { closed = true; onClose(); } });
  return {
    kind: 'udp',
    send: (m) => { if (!closed) { count.up += m.length; sock.send(m); } },
    onMessage: (h) => { onMessage = h; },
    onClose: (h) => { onClose = h; },
    get closed() { return closed; },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true; // no send() after this point (dgram throws once closing)
      return new Promise<void>((r) => sock.close(() => { onClose(); r(); }));
    },
  };
}

/** TCP connection to host:port with length framing. */
export async function openTcpLink(host: string, port: number, options: LinkOptions = {}): Promise<Link> {
  const sock = tcpConnect({ host, port, noDelay: true, localAddress: options.localAddress });
  const count = options.count ?? { up: 0, down: 0 };
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('connect', () => { sock.off('error', reject); resolve(); });
  });
  const decoder = new TcpFrameDecoder();
  let onMessage: (m: Uint8Array) => void = () => {};
  let onClose: () => void = () => {};
  let closed = false;
  sock.on('data', (chunk: Buffer) => {
    // Messages framed correctly before a bad length are handled; then the
    // connection closes and nothing after the bad length is read (protocol §2).
    const { messages, error } = decoder.decode(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    for (const m of messages) {
      count.down += m.length + TCP_LENGTH_BYTES;
      if (!sock.destroyed) onMessage(m);
    }
    if (error !== null) sock.destroy();
  });
  sock.on('error', () => {});
  sock.on('close', () => { closed = true; onClose(); });
  return {
    kind: 'tcp',
    send: (m) => { if (!sock.destroyed) { count.up += m.length + TCP_LENGTH_BYTES; sock.write(frameTcp(m)); } },
    onMessage: (h) => { onMessage = h; },
    onClose: (h) => { onClose = h; },
    get closed() { return closed; },
    close: () => new Promise<void>((r) => {
      if (closed) return r();
      sock.once('close', () => r());
      sock.destroy();
    }),
  };
}
