// Where a message came from and how to answer it: a UDP source address or one
// TCP connection. Handlers see only this shape (transports feed one message shape).

import type { Session } from './session.ts';

export interface Endpoint {
  readonly kind: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
  /** Send one whole message (the TCP endpoint adds the length prefix). */
  send(message: Uint8Array): void;
  /** TCP: close the connection. UDP: nothing to close. */
  close(): void;
  /** TCP: sessions established over this connection (they end with it). */
  readonly sessions?: Set<Session>;
}
