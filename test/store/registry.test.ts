// storeRegistry: the channel layer's Registry contract (cloud/relay/registry.ts)
// on top of a Store.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { MemoryStore, storeRegistry } from '../../cloud/store/index.ts';

const OWNER = 'did:key:z6MkRegOwner';
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

test('storeRegistry: enrollment, lookups, counter, revocation', async () => {
  const store = new MemoryStore();
  await store.createOwner({ did: OWNER, name: '', metadata: {}, createdAt: 0 });
  const reg = storeRegistry(store, () => 1234);
  const claimId = bytes(8);
  const claimPsk = bytes(32);
  await store.createClaim({ claimId, claimPsk, expiresAt: 10, owner: OWNER });
  assert.equal(await reg.claimById(claimId), { claimId, claimPsk, expiresAt: 10, used: false, owner: OWNER });

  const e = { claimId, did: 'did:key:z6MkRegDevice', staticKey: bytes(32), ed25519PublicKey: bytes(32), devicePsk: bytes(32), owner: OWNER };
  assert.is(await reg.completeEnrollment(e), true);
  assert.is(await reg.completeEnrollment(e), false, 'a claim is used once');
  const d = await reg.deviceByStatic(e.staticKey);
  assert.is(d!.did, e.did);
  assert.equal(d!.devicePsk, e.devicePsk);
  assert.is(d!.lastCounter, 0n);
  assert.is(d!.owner, OWNER);
  assert.is((await store.getDevice(e.did))!.registeredAt, 1234);

  await reg.setLastCounter(e.did, 9n);
  await reg.setLastCounter(e.did, 4n);
  assert.is((await reg.deviceByDid(e.did))!.lastCounter, 9n);
  await reg.revoke(e.did);
  assert.is((await reg.deviceByDid(e.did))!.revoked, true);

  const again = bytes(8);
  await store.createClaim({ claimId: again, claimPsk: bytes(32), expiresAt: 10, owner: OWNER });
  assert.is(await reg.completeEnrollment({ ...e, claimId: again }), false, 'a revoked device is not re-enrolled');
  assert.is((await reg.claimById(again))!.used, false);
});

test.run();
