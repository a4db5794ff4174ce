// The WASM sensor core (build/sealink-core.wasm, firmware/protocol) as a device
// for the attack suites: the release module on the simulated board
// (hal/node/sim.ts) with real loopback sockets, a seeded RNG and a ManualClock,
// driven by fw_step. Built on test/device/support.ts (the device suites' own
// driver) so both suites run the core the same way.
//
// What a test may read besides the wire: the status record, and the board's
// storage — the identity seed (sl.id) and the enrollment block (sl.enr:
// S_relay, device_psk, admission key), so the inspection suite can look for
// the device's secrets on the wire.

import { identityFromSeed, type Identity } from '../../../cloud/keys/did.ts';
import {
  claimBundle, runUntil, startTestDevice, STATE, ERR, type DeviceStatus, type TestDevice,
} from '../../device/support.ts';
import type { ManualClock } from '../../support/manual-clock.ts';

export { STATE, ERR };

const storageKey = (name: string): string => Buffer.from(name, 'ascii').toString('hex');

export interface WasmDevice {
  readonly kind: 'wasm';
  readonly core: TestDevice;
  readonly clock: ManualClock;
  status(): DeviceStatus;
  /** The identity the core generated on first boot (from its stored seed). */
  identity(): Identity;
  /** The enrollment block, once enrolled. SECRET: devicePsk, admissionKey. */
  enrolled(): { relayStatic: Uint8Array; devicePsk: Uint8Array; admissionKey: Uint8Array } | null;
  /** fw_enroll with a bundle pointing at host:port over `transport`, pinning `relayEd25519`. */
  enroll(relayEd25519: Uint8Array, transport: 'udp' | 'tcp', port: number, claim: { claimId: Uint8Array; claimToken: Uint8Array }): void;
  /** fw_send (queued until ACKed). */
  send(bytes: Uint8Array): void;
  /** Step the core and the clock (stepMs) until `done`, at most maxMs simulated; returns the simulated ms. */
  run(done: () => boolean, what: string, opts?: { stepMs?: number; maxMs?: number }): Promise<number>;
  close(): void;
}

export async function openWasmDevice(clock: ManualClock, label: string): Promise<WasmDevice> {
  const core = await startTestDevice(clock, `attack:${label}`);
  return {
    kind: 'wasm', core, clock,
    status: () => core.status(),
    identity() {
      const seed = core.storage.get(storageKey('sl.id'));
      if (seed === undefined || seed.length !== 32) throw new Error('wasm device: no identity in storage');
      return identityFromSeed(seed);
    },
    enrolled() {
      const b = core.storage.get(storageKey('sl.enr'));
      if (b === undefined) return null;
      return { relayStatic: b.slice(0, 32), devicePsk: b.slice(32, 64), admissionKey: b.slice(64, 96) };
    },
    enroll(relayEd25519, transport, port, claim) {
      const bundle = claimBundle(relayEd25519, transport, port, claim.claimId, claim.claimToken);
      new Uint8Array(core.x.memory.buffer, core.x.fw_io_ptr(), bundle.length).set(bundle);
      const st = core.x.fw_enroll(0, bundle.length);
      if (st !== 0) throw new Error(`fw_enroll: ${st}`);
    },
    send(bytes) {
      new Uint8Array(core.x.memory.buffer, core.x.fw_io_ptr(), bytes.length).set(bytes);
      const st = core.x.fw_send(0, bytes.length);
      if (st !== 0) throw new Error(`fw_send: ${st}`);
    },
    run: (done, what, opts = {}) => runUntil(clock, [core], done, { stepMs: opts.stepMs ?? 50, maxMs: opts.maxMs ?? 30_000, what }),
    close: () => core.close(),
  };
}

/** Is the device side of the core built (fw_init, fw_enroll, fw_send exported by build/sealink-core.wasm)? */
export { wasmDeviceAvailable } from './devices.ts';
