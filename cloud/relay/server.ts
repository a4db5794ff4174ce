// startChannelServer: the channel layer on a UDP socket and a TCP listener
// (protocol §2: one message per datagram; on TCP a 2-byte BE length before each
// message; a bad length closes the connection once the messages before it are handled).

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { TcpFrameDecoder, frameTcp } from '../protocol/tcp-framing.ts';
import { MAX_MESSAGE_BYTES } from '../protocol/constants.ts';
import { Channel, type ChannelOptions } from './channel.ts';
import type { Endpoint } from './endpoint.ts';
import type { ChannelMetrics } from './metrics.ts';
import type { Session } from './session.ts';

export interface ChannelServerOptions extends ChannelOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** UDP port; 0 (default) picks a free one. */
  udpPort?: number;
  /** TCP port; 0 (default) picks a free one. */
  tcpPort?: number;
}

export interface ChannelServer {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** S_relay, the X25519 public key devices pin. */
  readonly relayStatic: Uint8Array;
  readonly metrics: ChannelMetrics;
  /** The socket-free core (tests and embedding). */
  readonly channel: Channel;
  /** Send a REKEY frame to the device on its current session; false when it has none. */
  requestRekey(deviceDid: string): boolean;
  /** Send a DATA frame to the device (best effort); false when it has no usable session. */
  sendData(deviceDid: string, bytes: Uint8Array): boolean;
  /** Mark the device revoked in the registry and end its sessions at once. */
  revoke(did: string): Promise<void>;
  /** Run the expiry sweep now (it also runs every REKEY_TIMEOUT on the injected clock). */
  sweep(): void;
  /** Close the sockets and every connection, wipe all keys. */
  close(): Promise<void>;
}

function udpEndpoint(sock: UdpSocket, open: () => boolean, address: string, port: number): Endpoint {
  return {
    kind: 'udp', address, port,
    send: (m) => { if (open()) sock.send(m, port, address); },
    close: () => {},
  };
}

function tcpEndpoint(sock: Socket): Endpoint {
  return {
    kind: 'tcp', address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0,
    send: (m) => { if (!sock.destroyed) sock.write(frameTcp(m)); },
    close: () => sock.destroy(),
    sessions: new Set<Session>(),
  };
}

/** Bind UDP and TCP on `host` and serve the channel protocol. */
export async function startChannelServer(options: ChannelServerOptions): Promise<ChannelServer> {
  const host = options.host ?? '127.0.0.1';
  const channel = new Channel(options);
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const udp = createSocket({ type: family, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const connections = new Set<Socket>();
  const tcp: Server = createServer((sock) => {
    connections.add(sock);
    sock.setNoDelay(true);
    const ep = tcpEndpoint(sock);
    const decoder = new TcpFrameDecoder();
    sock.on('data', (chunk: Buffer) => {
      const { messages, error } = decoder.decode(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      // Messages framed correctly before a bad length are handled like any
      // others (one read often carries several: losing them would lose records
      // the device already sent); nothing after the bad length is read (§2).
      for (const m of messages) {
        if (sock.destroyed) break;
        channel.handle(m, ep);
      }
      if (error !== null && !sock.destroyed) {
        channel.drop('tcp-bad-length', ep);
        sock.destroy();
      }
    });
    sock.on('error', () => {}); // resets from devices are routine; 'close' follows
    sock.on('close', () => {
      connections.delete(sock);
      channel.endpointClosed(ep);
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(options.udpPort ?? 0, host, () => { udp.off('error', reject); resolve(); });
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(options.tcpPort ?? 0, host, () => { tcp.off('error', reject); resolve(); });
    });
  } catch (e) {
    channel.close();
    udp.close();
    tcp.close();
    throw e;
  }

  udp.on('message', (msg, rinfo) => {
    if (msg.length > MAX_MESSAGE_BYTES) return channel.drop('malformed-long');
    channel.handle(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), udpEndpoint(udp, udpOpen, rinfo.address, rinfo.port));
  });
  udp.on('error', (e) => channel.logger.error('relay: udp socket error', { error: String(e) }));

  const tcpAddress = tcp.address();
  let closed: Promise<void> | null = null;
  function udpOpen(): boolean { return closed === null; }
  return {
    host,
    udpPort: udp.address().port,
    tcpPort: typeof tcpAddress === 'object' && tcpAddress !== null ? tcpAddress.port : 0,
    relayStatic: channel.relayStatic,
    metrics: channel.metrics,
    channel,
    requestRekey: (did) => channel.requestRekey(did),
    sendData: (did, bytes) => channel.sendData(did, bytes),
    revoke: (did) => channel.revoke(did),
    sweep: () => channel.sweep(),
    close: () => {
      closed ??= (async () => {
        channel.close();
        for (const c of connections) c.destroy();
        await Promise.all([
          new Promise<void>((r) => udp.close(() => r())),
          new Promise<void>((r) => tcp.close(() => r())),
        ]);
      })();
      return closed;
    },
  };
}
