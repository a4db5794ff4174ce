// Device links for the load benches: cloud/device/link.ts's UDP and TCP links,
// bound to a chosen loopback source address and counting the bytes they
// carry. One address per simulated device (127.20.b.a): the relay's per-source
// handshake buckets (protocol §5, 20/s, burst 40 per address) are a DoS policy
// meant for one device per address, and a thousand devices behind 127.0.0.1
// would measure that policy instead of the relay. Linux routes all of
// 127.0.0.0/8 to the loopback interface, so no setup is needed.

import { openTcpLink, openUdpLink, type Link, type WireCount } from '../cloud/device/index.ts';

export type { WireCount };

/** The i-th device's loopback source address (i >= 0; 62,500 distinct addresses). */
export function deviceAddress(i: number): string {
  return `127.20.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
}

export function openBoundLink(kind: 'udp' | 'tcp', local: string, host: string, port: number, count: WireCount): Promise<Link> {
  const options = { localAddress: local, count };
  return kind === 'udp' ? openUdpLink(host, port, options) : openTcpLink(host, port, options);
}
