// An on-path attacker for the attack suites: a UDP or TCP forwarding proxy on
// 127.0.0.1 between a device and a relay. It records every byte it carries
// (UDP datagrams; TCP stream chunks exactly as read, length prefixes included)
// and every whole message, and lets a test hold, drop, rewrite or inject
// messages in either direction. Toward the relay the proxy speaks from one
// socket per device, so injected messages come from the device's own source
// address and port, as an on-path attacker's would.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { TcpFrameDecoder, frameTcp } from '../../../cloud/protocol/tcp-framing.ts';

/** `up`: device -> relay; `down`: relay -> device. */
export type Direction = 'up' | 'down';

/** What to do with one message: pass it, swallow it, or send these messages instead. */
export type Verdict = 'forward' | 'drop' | Uint8Array[];

export interface Wire {
  dir: Direction;
  bytes: Uint8Array;
}

export interface Proxy {
  readonly kind: 'udp' | 'tcp';
  readonly host: string;
  /** Where the device connects / sends. */
  readonly port: number;
  /** Every datagram, or every TCP chunk, the proxy sent on (forwarded, rewritten or injected), in order. */
  readonly wire: Wire[];
  /** Every whole message the device or the relay sent, before the verdict (TCP: frames without the length); injections are not in it. */
  readonly messages: Wire[];
  /** Decides the fate of each message; default: forward everything. */
  intercept: (message: Uint8Array, dir: Direction) => Verdict;
  /** Send a whole message toward the relay (`up`) or the device (`down`), as the proxy. */
  inject(dir: Direction, message: Uint8Array): void;
  /** TCP only: raw bytes into the stream (no length prefix added). */
  injectRaw(dir: Direction, bytes: Uint8Array): void;
  /** Total bytes carried in one direction (UDP payloads; TCP stream bytes). */
  bytes(dir: Direction): number;
  /** Forget what was recorded so far. */
  reset(): void;
  close(): Promise<void>;
}

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

function base(kind: 'udp' | 'tcp', port: number): Omit<Proxy, 'inject' | 'injectRaw' | 'close'> {
  const wire: Wire[] = [];
  const messages: Wire[] = [];
  return {
    kind, host: '127.0.0.1', port, wire, messages,
    intercept: () => 'forward',
    bytes: (dir) => wire.reduce((n, w) => n + (w.dir === dir ? w.bytes.length : 0), 0),
    reset: () => { wire.length = 0; messages.length = 0; },
  };
}

/** A UDP proxy to target:port. One upstream socket per device source address. */
export async function startUdpProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  const front = createSocket('udp4');
  await new Promise<void>((res, rej) => { front.once('error', rej); front.bind(0, '127.0.0.1', () => { front.off('error', rej); res(); }); });
  const upstream = new Map<string, { sock: UdpSocket; ready: Promise<void> }>();
  let last: { sock: UdpSocket; address: string; port: number } | null = null;
  let closed = false;
  const p = base('udp', front.address().port);

  const toDevice = (address: string, port: number, m: Uint8Array): void => {
    if (closed) return;
    p.wire.push({ dir: 'down', bytes: copy(m) });
    front.send(m, port, address);
  };
  const toRelay = (sock: UdpSocket, m: Uint8Array): void => {
    if (closed) return;
    p.wire.push({ dir: 'up', bytes: copy(m) });
    sock.send(m);
  };
  const apply = (m: Uint8Array, dir: Direction, send: (x: Uint8Array) => void): void => {
    p.messages.push({ dir, bytes: copy(m) });
    const v = proxy.intercept(m, dir);
    if (v === 'forward') send(m);
    else if (v !== 'drop') for (const x of v) send(x);
  };

  front.on('message', async (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = upstream.get(key);
    if (up === undefined) {
      const sock = createSocket('udp4');
      sock.on('error', () => {});
      sock.on('message', (m) => apply(new Uint8Array(m), 'down', (x) => toDevice(rinfo.address, rinfo.port, x)));
      up = { sock, ready: new Promise<void>((res) => sock.connect(targetPort, targetHost, () => res())) };
      upstream.set(key, up);
    }
    await up.ready; // continuations run in arrival order, so datagrams keep their order
    const sock = up.sock;
    last = { sock, address: rinfo.address, port: rinfo.port };
    apply(new Uint8Array(msg), 'up', (x) => toRelay(sock, x));
  });
  front.on('error', () => {});

  const proxy: Proxy = {
    ...p,
    inject(dir, m) {
      if (last === null) throw new Error('proxy: no device seen yet');
      if (dir === 'up') toRelay(last.sock, m);
      else toDevice(last.address, last.port, m);
    },
    injectRaw() { throw new Error('proxy: injectRaw is TCP only'); },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([front, ...[...upstream.values()].map((u) => u.sock)].map((s) => new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } })));
    },
  };
  return proxy;
}

/** A TCP proxy to target:port: one upstream connection per device connection; frames parsed both ways. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<Proxy> {
  const pairs = new Set<{ device: Socket; relay: Socket }>();
  let last: { device: Socket; relay: Socket } | null = null;
  let closed = false;
  const server: Server = createServer((device) => {
    device.setNoDelay(true);
    device.pause();
    const relay = tcpConnect({ host: targetHost, port: targetPort, noDelay: true });
    const pair = { device, relay };
    pairs.add(pair);
    last = pair;
    const write = (to: Socket, dir: Direction, bytes: Uint8Array): void => {
      if (closed || to.destroyed) return;
      p.wire.push({ dir, bytes: copy(bytes) });
      to.write(bytes);
    };
    const pump = (from: Socket, to: Socket, dir: Direction): void => {
      const dec = new TcpFrameDecoder();
      from.on('data', (chunk: Buffer) => {
        let msgs: Uint8Array[];
        try {
          msgs = dec.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        } catch {
          // Not our business to judge framing: pass the raw bytes on, stop parsing.
          write(to, dir, new Uint8Array(chunk));
          return;
        }
        for (const m of msgs) {
          p.messages.push({ dir, bytes: copy(m) });
          const v = proxy.intercept(m, dir);
          if (v === 'forward') write(to, dir, frameTcp(m));
          else if (v !== 'drop') for (const x of v) write(to, dir, frameTcp(x));
        }
      });
      from.on('error', () => {});
      from.on('close', () => { to.destroy(); pairs.delete(pair); });
    };
    relay.once('connect', () => {
      pump(device, relay, 'up');
      pump(relay, device, 'down');
      device.resume();
    });
  });
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', () => { server.off('error', rej); res(); }); });
  const addr = server.address();
  const p = base('tcp', typeof addr === 'object' && addr !== null ? addr.port : 0);
  const send = (dir: Direction, bytes: Uint8Array): void => {
    if (last === null) throw new Error('proxy: no connection yet');
    const to = dir === 'up' ? last.relay : last.device;
    if (closed || to.destroyed) return;
    p.wire.push({ dir, bytes: copy(bytes) });
    to.write(bytes);
  };
  const proxy: Proxy = {
    ...p,
    inject: (dir, m) => send(dir, frameTcp(m)),
    injectRaw: (dir, bytes) => send(dir, bytes),
    async close() {
      if (closed) return;
      closed = true;
      for (const { device, relay } of pairs) { device.destroy(); relay.destroy(); }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}

/** A proxy of `kind` in front of a relay's UDP or TCP port. */
export function startProxy(kind: 'udp' | 'tcp', host: string, port: number): Promise<Proxy> {
  return kind === 'udp' ? startUdpProxy(host, port) : startTcpProxy(host, port);
}
