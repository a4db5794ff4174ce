// Device links for the load benches: cloud/device/link.ts's UDP and TCP links,
// but bound to a chosen loopback source address and counting the bytes they
// carry. One address per simulated device (127.20.b.a): the relay's per-source
// handshake buckets (protocol §5, 20/s, burst 40 per address) are a DoS policy
// meant for one device per address, and a thousand devices behind 127.0.0.1
// would measure that policy instead of the relay. Linux routes all of
// 127.0.0.0/8 to the loopback interface, so no setup is needed.

import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import type { Link } from '../cloud/device/index.ts';
import { TCP_LENGTH_BYTES } from '../cloud/protocol/constants.ts';
import { FramingError, TcpFrameDecoder, frameTcp } from '../cloud/protocol/tcp-framing.ts';

/** Bytes a link carried: UDP payloads; on TCP each message counts its 2-byte length prefix too. */
export interface WireCount { up: number; down: number }

/** The i-th device's loopback source address (i >= 0; 62,500 distinct addresses). */
export function deviceAddress(i: number): string {
  return `127.20.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
}

export async function openBoundLink(kind: 'udp' | 'tcp', local: string, host: string, port: number, count: WireCount): Promise<Link> {
  return kind === 'udp' ? udpLink(local, host, port, count) : tcpLink(local, host, port, count);
}

async function udpLink(local: string, host: string, port: number, count: WireCount): Promise<Link> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: local, port: 0 }, () => sock.connect(port, host, () => { sock.off('error', reject); resolve(); }));
  });
  let onMessage: (m: Uint8Array) => void = () => {};
  let onClose: () => void = () => {};
  let closed = false;
  sock.on('message', (m) => { count.down += m.length; onMessage(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)); });
  sock.on('error', () => {});
  sock.on('close', () => { if (!closed) { closed = true; onClose(); } });
  return {
    kind: 'udp',
    send: (m) => { if (!closed) { count.up += m.length; sock.send(m); } },
    onMessage: (h) => { onMessage = h; },
    onClose: (h) => { onClose = h; },
    get closed() { return closed; },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((r) => sock.close(() => { onClose(); r(); }));
    },
  };
}

async function tcpLink(local: string, host: string, port: number, count: WireCount): Promise<Link> {
  const sock = tcpConnect({ host, port, localAddress: local, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('connect', () => { sock.off('error', reject); resolve(); });
  });
  const decoder = new TcpFrameDecoder();
  let onMessage: (m: Uint8Array) => void = () => {};
  let onClose: () => void = () => {};
  let closed = false;
  sock.on('data', (chunk: Buffer) => {
    let messages: Uint8Array[];
    try {
      messages = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      sock.destroy();
      return;
    }
    for (const m of messages) {
      count.down += m.length + TCP_LENGTH_BYTES;
      if (!sock.destroyed) onMessage(m);
    }
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
