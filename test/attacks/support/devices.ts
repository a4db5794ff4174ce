// Devices for the attack suites, pointed at any address (the relay itself, or a
// proxy in front of it).
//
// Two device implementations face the attacks: the TypeScript reference device
// (cloud/device, here) and the WASM sensor core (firmware/protocol, driven by
// wasm-device.ts). The TS client has promise-based calls and detailed stats; the
// core is stepped on a manual clock and reports through its status record, so
// each suite has a test per implementation where the implementation matters.
// wasmDeviceAvailable() tells whether the built core has the device side; when
// it does not, the WASM tests skip and the suite says so.

import { identityFromSeed, type Identity } from '../../../cloud/keys/did.ts';
import { DeviceClient, openTcpLink, openUdpLink, type DeviceCredentials, type DeviceLimits, type Link } from '../../../cloud/device/index.ts';
import type { Clock } from '../../../cloud/util/clock.ts';
import { rng } from '../../support/rng.ts';

export type Transport = 'udp' | 'tcp';

export interface AttackDevice {
  kind: 'ts';
  client: DeviceClient;
  identity: Identity;
  link: Link;
  /** DATA the device received from the relay. */
  received: Uint8Array[];
  /** Every credentials object the device asked to persist. */
  persisted: DeviceCredentials[];
  close(): Promise<void>;
}

export interface AttackDeviceOptions {
  clock?: Clock;
  limits?: Partial<DeviceLimits>;
  credentials?: DeviceCredentials;
  identity?: Identity;
  label: string;
}

/** A device whose link goes to host:port over `transport`. */
export async function openDeviceAt(transport: Transport, host: string, port: number, opts: AttackDeviceOptions): Promise<AttackDevice> {
  const r = rng(`attack-device:${opts.label}`);
  const identity = opts.identity ?? identityFromSeed(r.bytes(32));
  const link = transport === 'udp' ? await openUdpLink(host, port) : await openTcpLink(host, port);
  const received: Uint8Array[] = [];
  const persisted: DeviceCredentials[] = [];
  const client = new DeviceClient({
    identity, link, clock: opts.clock, limits: opts.limits, credentials: opts.credentials,
    random: (n) => r.bytes(n),
    onData: (b) => received.push(b.slice()),
    persist: (c) => { persisted.push({ ...c, relayStatic: c.relayStatic.slice(), devicePsk: c.devicePsk.slice(), admissionKey: c.admissionKey.slice() }); },
  });
  return { kind: 'ts', client, identity, link, received, persisted, close: () => client.close() };
}

let wasmProbe: Promise<boolean> | null = null;

/** Does the built core export the device side (fw_init, fw_enroll, fw_send)? */
export function wasmDeviceAvailable(): Promise<boolean> {
  wasmProbe ??= (async () => {
    try {
      const { loadCore } = await import('../../../hal/node/core.ts');
      const core = await loadCore();
      const x = core.exports as unknown as Record<string, unknown>;
      return ['fw_init', 'fw_enroll', 'fw_send'].every((n) => typeof x[n] === 'function');
    } catch {
      return false;
    }
  })();
  return wasmProbe;
}

/** Say which device implementations a suite ran against (the WASM one only when the core is built with it). */
export async function noteWasmDevice(suite: string): Promise<void> {
  if (!(await wasmDeviceAvailable())) {
    console.log(`  ${suite}: WASM device not in build/sealink-core.wasm (no fw_init/fw_enroll/fw_send): its tests were skipped`);
  }
}
