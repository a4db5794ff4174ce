// Shared setup for the channel suites: a relay on 127.0.0.1 free ports with an
// in-memory registry, devices speaking over real UDP/TCP sockets, and bounded
// waits (every wait has a deadline so a failing test fails instead of hanging).

import { createSocket, type Socket } from 'node:dgram';
import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { DeviceClient, openTcpLink, openUdpLink, type DeviceCredentials, type DeviceLimits, type Link } from '../../cloud/device/index.ts';
import { createClaim, MemoryRegistry, startChannelServer, type ChannelLimits, type ChannelServer, type DataHandler } from '../../cloud/relay/index.ts';
import type { Clock } from '../../cloud/util/clock.ts';
import { rng, type Prng } from '../support/rng.ts';
import { waitFor as wait } from '../support/wait.ts';

export type Transport = 'udp' | 'tcp';

export interface Relay {
  server: ChannelServer;
  registry: MemoryRegistry;
  identity: Identity;
  admissionKey: Uint8Array;
  clock: Clock | undefined;
  delivered: { did: string; bytes: Uint8Array }[];
  /** A fresh claim for `owner` (registered) and its bundle. */
  claim(owner?: string, lifetimeMs?: number): { claimId: Uint8Array; claimToken: Uint8Array; relayDid: string };
}

export interface RelayOptions {
  clock?: Clock;
  limits?: Partial<ChannelLimits>;
  onData?: DataHandler;
  label?: string;
}

/** A relay with a seeded network identity and admission key. */
export async function startRelay(opts: RelayOptions = {}): Promise<Relay> {
  const r = rng(`relay:${opts.label ?? 'default'}`);
  const identity = identityFromSeed(r.bytes(32));
  const admissionKey = r.bytes(32);
  const registry = new MemoryRegistry();
  const delivered: Relay['delivered'] = [];
  const server = await startChannelServer({
    staticSecret: identity.x25519Secret, admissionKey, registry, clock: opts.clock, limits: opts.limits,
    onData: opts.onData ?? ((did, bytes) => { delivered.push({ did, bytes: bytes.slice() }); }),
  });
  const now = () => (opts.clock ?? { now: () => Date.now() }).now();
  return {
    server, registry, identity, admissionKey, clock: opts.clock, delivered,
    claim(owner = 'did:key:owner', lifetimeMs?: number) {
      const c = createClaim(owner, now(), lifetimeMs, (n) => r.bytes(n));
      registry.addClaim(c.record);
      return { claimId: c.claimId, claimToken: c.claimToken, relayDid: identity.did };
    },
  };
}

export interface DeviceHandle {
  client: DeviceClient;
  identity: Identity;
  link: Link;
  received: Uint8Array[];
  persisted: DeviceCredentials[];
}

export interface DeviceOptions {
  clock?: Clock;
  limits?: Partial<DeviceLimits>;
  credentials?: DeviceCredentials;
  identity?: Identity;
  label?: string;
  /** Wrap the link (to record or tamper with messages). */
  wrap?: (link: Link) => Link;
}

let deviceCount = 0;

/** A device client connected (link-wise) to the relay over `transport`. */
export async function openDevice(relay: Relay, transport: Transport, opts: DeviceOptions = {}): Promise<DeviceHandle> {
  const r: Prng = rng(`device:${opts.label ?? deviceCount++}`);
  const identity = opts.identity ?? identityFromSeed(r.bytes(32));
  const raw = transport === 'udp'
    ? await openUdpLink(relay.server.host, relay.server.udpPort)
    : await openTcpLink(relay.server.host, relay.server.tcpPort);
  const link = opts.wrap ? opts.wrap(raw) : raw;
  const received: Uint8Array[] = [];
  const persisted: DeviceCredentials[] = [];
  const client = new DeviceClient({
    identity, link, clock: opts.clock, limits: opts.limits, credentials: opts.credentials,
    random: (n) => r.bytes(n),
    onData: (b) => received.push(b.slice()),
    persist: (c) => { persisted.push({ ...c }); },
  });
  return { client, identity, link, received, persisted };
}

/** Enroll a new device and return it (enrolled, no session yet). */
export async function enrolledDevice(relay: Relay, transport: Transport, opts: DeviceOptions = {}): Promise<DeviceHandle> {
  const d = await openDevice(relay, transport, opts);
  try {
    await within(d.client.enroll(relay.claim()), 3000, 'enroll');
  } catch (e) {
    await d.client.close();
    throw e;
  }
  return d;
}

/** `p`, or a rejection after `ms` real milliseconds. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]);
}

/** Poll `cond` every 2 ms until true, or fail after `ms` real milliseconds. */
export const waitFor = (cond: () => boolean, ms: number, what: string): Promise<void> => wait(cond, ms, what, 2);

/** Let pending socket I/O run (a few loop turns). */
export async function settle(ms = 20): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** A raw UDP socket aimed at the relay that records what comes back. */
export async function rawUdp(relay: Relay): Promise<{ sock: Socket; replies: Uint8Array[]; send(m: Uint8Array): void; close(): Promise<void> }> {
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.connect(relay.server.udpPort, relay.server.host, () => res()));
  const replies: Uint8Array[] = [];
  sock.on('message', (m) => replies.push(new Uint8Array(m)));
  return {
    sock, replies,
    send: (m) => sock.send(m),
    close: () => new Promise<void>((res) => sock.close(() => res())),
  };
}

/** A link wrapper that records every message the device sends. */
export function recording(sent: Uint8Array[]): (link: Link) => Link {
  return (link) => ({
    kind: link.kind,
    send: (m) => { sent.push(m.slice()); link.send(m); },
    onMessage: (h) => link.onMessage(h),
    onClose: (h) => link.onClose(h),
    get closed() { return link.closed; },
    close: () => link.close(),
  });
}

/** Close everything given, ignoring errors (for finally blocks). */
export async function closeAll(...things: ({ close(): Promise<void> } | { client: DeviceClient } | undefined)[]): Promise<void> {
  for (const t of things) {
    if (t === undefined) continue;
    try {
      if ('client' in t) await t.client.close();
      else await t.close();
    } catch { /* already closed */ }
  }
}
