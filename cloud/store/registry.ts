// The relay's Registry (cloud/relay/registry.ts) over any Store, so the channel
// layer can run on the SQLite store (or a later PostgreSQL one) unchanged.

import type { ClaimRecord, DeviceRecord, Enrollment, Registry } from '../relay/registry.ts';
import type { Store } from './types.ts';

/**
 * A Registry backed by `store`. `now` stamps registeredAt of enrolled devices.
 * completeEnrollment does not check expiry (the relay checked it on ENROLL_INIT,
 * as the Registry contract says); devices enrolled this way get an empty name.
 */
export function storeRegistry(store: Store, now: () => number = Date.now): Registry {
  return {
    deviceByStatic: (staticKey: Uint8Array): Promise<DeviceRecord | undefined> => store.deviceByStatic(staticKey),
    deviceByDid: (did: string): Promise<DeviceRecord | undefined> => store.getDevice(did),
    claimById: (claimId: Uint8Array): Promise<ClaimRecord | undefined> => store.getClaim(claimId),
    async completeEnrollment(e: Enrollment): Promise<boolean> {
      const r = await store.consumeClaim(e.claimId, {
        register: { did: e.did, staticKey: e.staticKey, ed25519PublicKey: e.ed25519PublicKey, devicePsk: e.devicePsk, registeredAt: now() },
      });
      return r.ok;
    },
    async setLastCounter(did: string, counter: bigint): Promise<void> {
      await store.updateCounter(did, counter);
    },
    async revoke(did: string): Promise<void> {
      await store.revokeDevice(did);
    },
  };
}
