// Shared helpers of the device-protocol suites: loading the test build and
// the release core with the simulated board, and reading the status record.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore, type Core } from '../../hal/node/core.ts';
import { SimHal, type SimOptions } from '../../hal/node/sim.ts';
import { DEVICE_ERROR, STATUS_RECORD_BYTES, decodeStatus, type DeviceStatus } from '../../cloud/sim/status.ts';

const BUILD = new URL('../../build/', import.meta.url);

/** The raw exports of a core with the protocol (release) or with the test exports as well (test build). */
export type Exports = Record<string, any> & { memory: WebAssembly.Memory };

/** Loads build/sealink-core.test.wasm (release code + firmware/testing exports) on a SimHal. */
export async function loadTestCore(options: SimOptions = {}): Promise<{ core: Core; x: Exports; hal: SimHal }> {
  const path = fileURLToPath(new URL('sealink-core.test.wasm', BUILD));
  if (!existsSync(path)) throw new Error(`${path} not built: run \`npm run build\` (target "test")`);
  const hal = new SimHal(options);
  const core = await loadCore({ wasm: readFileSync(path), hal });
  return { core, x: core.exports as unknown as Exports, hal };
}

/** Loads the release core (build/sealink-core.wasm) on a SimHal. */
export async function loadReleaseCore(options: SimOptions = {}): Promise<{ core: Core; x: Exports; hal: SimHal }> {
  const hal = new SimHal(options);
  const core = await loadCore({ hal });
  return { core, x: core.exports as unknown as Exports, hal };
}

/** Writes bytes into the exchange buffer at off. */
export function put(x: Exports, off: number, bytes: Uint8Array): void {
  new Uint8Array(x.memory.buffer, x.fw_io_ptr() + off, bytes.length).set(bytes);
}

/** Copies len bytes out of the exchange buffer at off. */
export function take(x: Exports, off: number, len: number): Uint8Array {
  return new Uint8Array(x.memory.buffer, x.fw_io_ptr() + off, len).slice();
}

// The status record has one decoder (cloud/sim/status.ts), shared with the demo's sensors.
export { STATE, STATUS_RECORD_BYTES, type DeviceStatus } from '../../cloud/sim/status.ts';
export const ERR = DEVICE_ERROR;
/** Status flags of the sealer (status record offset 100, DeviceStatus.sealerFlags). */
export const SEALING = { OPEN: 1, KEYED: 2, UNSAVED: 4 } as const;

export function status(x: Exports): DeviceStatus {
  const off = 4096;
  if (x.fw_status(off) !== 0) throw new Error('fw_status failed');
  return decodeStatus(take(x, off, STATUS_RECORD_BYTES));
}

// ---- the release core against the TypeScript relay, over real loopback sockets ----

import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { createClaim, MemoryRegistry, startChannelServer, type ChannelServer, type ChannelLimits } from '../../cloud/relay/index.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';

/** A relay on 127.0.0.1 (free UDP and TCP ports) with a seeded network key and an in-memory registry. */
export interface TestRelay {
  server: ChannelServer;
  registry: MemoryRegistry;
  identity: Identity;
  admissionKey: Uint8Array;
  /** Every DATA body delivered, as text. */
  delivered: string[];
  /** Every DATA body delivered, as bytes (sealed records), in arrival order. */
  records: Uint8Array[];
  claim(): { claimId: Uint8Array; claimToken: Uint8Array };
}

export async function startTestRelay(clock: ManualClock, label: string,
  opts: { identity?: Identity; admissionKey?: Uint8Array; registry?: MemoryRegistry; udpPort?: number; limits?: Partial<ChannelLimits> } = {}): Promise<TestRelay> {
  const r = rng(`device-relay:${label}`);
  const identity = opts.identity ?? identityFromSeed(r.bytes(32));
  const admissionKey = opts.admissionKey ?? r.bytes(32);
  const registry = opts.registry ?? new MemoryRegistry();
  const delivered: string[] = [];
  const records: Uint8Array[] = [];
  const server = await startChannelServer({
    staticSecret: identity.x25519Secret, admissionKey, registry, clock, random: (n) => r.bytes(n),
    udpPort: opts.udpPort, limits: opts.limits,
    onData: (_did, bytes) => { delivered.push(new TextDecoder().decode(bytes)); records.push(bytes.slice()); },
  });
  return {
    server, registry, identity, admissionKey, delivered, records,
    claim() {
      const c = createClaim('did:key:owner', clock.now(), undefined, (n) => r.bytes(n));
      registry.addClaim(c.record);
      return { claimId: c.claimId, claimToken: c.claimToken };
    },
  };
}

/** The owner the test devices seal their readings to, unless a test names another. */
export const TEST_OWNER: Identity = identityFromSeed(rng('device-owner').bytes(32));

/**
 * The binary claim bundle fw_enroll takes (firmware/protocol/conf.ts,
 * docs/protocol.md §3): version | transport | port (LE) | relay key | claim_id
 * | claim_token | owner key | host_len | host.
 */
export function claimBundle(relayEd25519: Uint8Array, transport: 'udp' | 'tcp', port: number,
  claimId: Uint8Array, claimToken: Uint8Array, host = '127.0.0.1', ownerEd25519: Uint8Array = TEST_OWNER.ed25519PublicKey): Uint8Array {
  const h = new TextEncoder().encode(host);
  const b = new Uint8Array(93 + h.length);
  b[0] = 1;
  b[1] = transport === 'tcp' ? 1 : 0;
  b[2] = port & 0xff;
  b[3] = port >>> 8;
  b.set(relayEd25519, 4);
  b.set(claimId, 36);
  b.set(claimToken, 44);
  b.set(ownerEd25519, 60);
  b[92] = h.length;
  b.set(h, 93);
  return b;
}

/** A release core on a simulated board whose clock is the test's ManualClock (ms since its boot). */
export interface TestDevice {
  x: Exports;
  hal: SimHal;
  storage: Map<string, Uint8Array>;
  status(): DeviceStatus;
  /** fw_send of a text reading; asserts HAL_OK. */
  send(text: string): void;
  /** fw_reading of payload on feed; returns the HAL status. */
  reading(feed: number, payload: Uint8Array): number;
  close(): void;
}

export async function startTestDevice(clock: ManualClock, label: string, storage = new Map<string, Uint8Array>()): Promise<TestDevice> {
  const r = rng(`device-core:${label}`);
  const boot = clock.now();
  const logs: string[] = [];
  const { x, hal } = await loadReleaseCore({
    clock: { now: () => clock.now() - boot },
    random: (out) => out.set(r.bytes(out.length)),
    storage,
    network: true,
    log: (level, message) => { logs.push(`${level} ${message}`); },
  });
  const st = x.fw_init();
  if (st !== 0) throw new Error(`fw_init: ${st}`);
  return {
    x, hal, storage,
    status: () => status(x),
    send(text: string) {
      const b = new TextEncoder().encode(text);
      put(x, 0, b);
      const s = x.fw_send(0, b.length);
      if (s !== 0) throw new Error(`fw_send(${text}): ${s}`);
    },
    reading(feed: number, payload: Uint8Array) {
      put(x, 0, payload);
      return x.fw_reading(feed, 0, payload.length);
    },
    close: () => hal.close(),
  };
}

/** Lets real socket I/O and the relay's async handlers run. */
export function io(ms = 2): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Advances the shared clock in steps of stepMs, calling fw_step on each device
 * and letting I/O run, until `done` holds; throws after maxMs of simulated time.
 */
export async function runUntil(clock: ManualClock, devices: TestDevice[], done: () => boolean,
  { stepMs = 100, maxMs = 30_000, what = 'condition' } = {}): Promise<number> {
  const start = clock.now();
  for (;;) {
    for (const d of devices) d.x.fw_step();
    for (let i = 0; i < 3; i++) await io(1);
    if (done()) return clock.now() - start;
    if (clock.now() - start >= maxMs) throw new Error(`timed out after ${maxMs} ms (simulated) waiting for ${what}`);
    clock.advance(stepMs);
  }
}

export { ManualClock };
