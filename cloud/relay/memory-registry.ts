// In-memory Registry: tests, simulations and single-process demos. Records are
// copied in and out so callers cannot alter the stored state by accident.

import type { ClaimRecord, DeviceRecord, Enrollment, Registry } from './registry.ts';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function copyDevice(d: DeviceRecord): DeviceRecord {
  return { ...d, staticKey: d.staticKey.slice(), ed25519PublicKey: d.ed25519PublicKey.slice(), devicePsk: d.devicePsk.slice() };
}

function copyClaim(c: ClaimRecord): ClaimRecord {
  return { ...c, claimId: c.claimId.slice(), claimPsk: c.claimPsk.slice() };
}

export class MemoryRegistry implements Registry {
  private readonly devices = new Map<string, DeviceRecord>(); // by did
  private readonly byStatic = new Map<string, string>(); // static hex -> did
  private readonly claims = new Map<string, ClaimRecord>(); // by claim id hex

  /** Store a claim (as the owner-facing API would). */
  addClaim(claim: ClaimRecord): void {
    this.claims.set(hex(claim.claimId), copyClaim(claim));
  }

  /** Store a device directly (tests; registration by DID). */
  addDevice(device: DeviceRecord): void {
    this.devices.set(device.did, copyDevice(device));
    this.byStatic.set(hex(device.staticKey), device.did);
  }

  deviceByStatic(staticKey: Uint8Array): DeviceRecord | undefined {
    const did = this.byStatic.get(hex(staticKey));
    return did === undefined ? undefined : this.deviceByDid(did);
  }

  deviceByDid(did: string): DeviceRecord | undefined {
    const d = this.devices.get(did);
    return d === undefined ? undefined : copyDevice(d);
  }

  claimById(claimId: Uint8Array): ClaimRecord | undefined {
    const c = this.claims.get(hex(claimId));
    return c === undefined ? undefined : copyClaim(c);
  }

  completeEnrollment(e: Enrollment): boolean {
    const claim = this.claims.get(hex(e.claimId));
    if (claim === undefined || claim.used) return false;
    const existing = this.devices.get(e.did);
    if (existing?.revoked) return false;
    claim.used = true;
    this.addDevice({
      did: e.did, staticKey: e.staticKey, ed25519PublicKey: e.ed25519PublicKey, devicePsk: e.devicePsk,
      lastCounter: 0n, revoked: false, owner: e.owner,
    });
    return true;
  }

  setLastCounter(did: string, counter: bigint): void {
    const d = this.devices.get(did);
    if (d !== undefined && counter > d.lastCounter) d.lastCounter = counter;
  }

  revoke(did: string): void {
    const d = this.devices.get(did);
    if (d !== undefined) d.revoked = true;
  }
}
