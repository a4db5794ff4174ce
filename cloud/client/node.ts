// sealink/client in Node (package export `sealink/client`, bundled to
// build/node/client.js): the universal client of ./index.ts with the `ws`
// package as the default WebSocket, since Node 20 has no global one.
// Browsers get ./index.ts alone (build/browser/sealink-client.js).

import WebSocket from 'ws';
import { createClient as createUniversalClient, type Client, type ClientOptions, type WebSocketCtor } from './index.ts';

export * from './index.ts';

/** Creates a client; `options.WebSocket` defaults to the `ws` package's. */
export function createClient(options: ClientOptions): Client {
  return createUniversalClient({ ...options, WebSocket: options?.WebSocket ?? (WebSocket as unknown as WebSocketCtor) });
}
