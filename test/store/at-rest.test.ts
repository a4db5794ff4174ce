// Encryption at rest: write known plaintexts through the SQLite store (feed names
// live in device metadata, docs/readings.md), then scan
// the raw database, WAL and shared-memory files (while open, and after close)
// for each of them in every likely encoding, and find none.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../cloud/store/index.ts';
import { tempDir } from './support.ts';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const rb = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Every encoding a careless store might write `value` in. */
function forms(value: string | Uint8Array): Buffer[] {
  const raw = typeof value === 'string' ? utf8(value) : Buffer.from(value);
  const out = [raw, utf8(raw.toString('hex')), utf8(raw.toString('hex').toUpperCase()), utf8(raw.toString('base64')),
    utf8(raw.toString('base64url')), createHash('sha256').update(raw).digest()];
  if (typeof value === 'string') out.push(Buffer.from(value, 'utf16le'));
  // Base64 inside longer base64 text: the unpadded prefix is found whatever the padding.
  return out.map((b) => (b.length > 12 && b.at(-1) === 0x3d ? b.subarray(0, b.indexOf(0x3d)) : b));
}

function scan(files: string[], secrets: Record<string, string | Uint8Array>): string[] {
  const found: string[] = [];
  for (const file of files.filter(existsSync)) {
    const data = readFileSync(file);
    for (const [name, value] of Object.entries(secrets)) {
      forms(value).forEach((f, i) => {
        if (data.includes(f)) found.push(`${name} (form ${i}) in ${file}`);
      });
    }
  }
  return found;
}

test('store sqlite: no known plaintext in the .db, -wal or -shm files', async () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'relay.db');
    const files = [path, `${path}-wal`, `${path}-shm`];
    const key = rb(32);
    const owner = 'did:key:z6MkOwnerSecretDidAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const device = 'did:key:z6MkDeviceSecretDidBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const reader = 'did:key:z6MkReaderSecretDidCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
    const secrets: Record<string, string | Uint8Array> = {
      ownerDid: owner, deviceDid: device, readerDid: reader,
      ownerName: 'Alice Secret-Owner-Name', ownerEmail: 'alice.secret.owner@example.org',
      deviceName: 'Basement-Freezer-Sensor-Name', deviceLocation: 'Secret-Street-Location-12',
      feedName: 'freezer-temperature-celsius', feedName2: 'door-open-events-feed',
      claimId: rb(8), claimPsk: rb(32), devicePsk: rb(32),
      ed25519: rb(32), staticKey: rb(32),
      readingText: 'PLAINTEXT-READING-minus-18.5-celsius', readingBytes: rb(48),
      wrap: rb(112), epochOpen: rb(300), epochClose: rb(113), storageKey: key,
    };
    const s = await openSqliteStore({ path, key });
    await s.createOwner({ did: owner, name: secrets.ownerName as string, metadata: { email: secrets.ownerEmail as string }, createdAt: 1 });
    await s.createClaim({ claimId: secrets.claimId as Uint8Array, claimPsk: secrets.claimPsk as Uint8Array, expiresAt: 10, owner });
    const r = await s.consumeClaim(secrets.claimId as Uint8Array, {
      now: 5,
      register: {
        did: device, ed25519PublicKey: secrets.ed25519 as Uint8Array, staticKey: secrets.staticKey as Uint8Array,
        devicePsk: secrets.devicePsk as Uint8Array, name: secrets.deviceName as string,
        metadata: { location: secrets.deviceLocation as string, feeds: { 7: secrets.feedName as string, 9: secrets.feedName2 as string } },
        registeredAt: 5,
      },
    });
    assert.ok(r.ok);
    // Rewrites leave old versions in the WAL and free pages: they must be sealed too.
    for (let c = 1n; c <= 20n; c++) await s.updateCounter(device, c);
    await s.updateDevice(device, { name: `${secrets.deviceName as string}-v2` });
    const appends: Promise<unknown>[] = [];
    for (let seq = 0; seq < 400; seq++) {
      const body = seq === 0 ? utf8(secrets.readingText as string) : seq === 1 ? (secrets.readingBytes as Uint8Array) : rb(48);
      appends.push(s.append({ device, epoch: 3, seq, feed: 7, body, receivedAt: 1000 + seq }));
    }
    appends.push(s.append({ device, epoch: 4, seq: 400, feed: 9, body: rb(16), receivedAt: 1 }));
    await Promise.all(appends);
    const k = { device, epoch: 3 };
    await s.openEpoch(k, secrets.epochOpen as Uint8Array);
    await s.putWrap(k, reader, secrets.wrap as Uint8Array);
    await s.closeEpoch(k, secrets.epochClose as Uint8Array);

    // Committed and still open: the WAL holds everything.
    assert.ok(existsSync(`${path}-wal`));
    assert.equal(scan(files, secrets), [], 'while open');
    // The scanner does find what is there in the clear (schema names).
    assert.equal(scan([path, `${path}-wal`], { schema: 'readings_time' }).length > 0, true, 'positive control');

    // Everything reads back.
    assert.is((await s.queryReadings({ device, feed: 7, limit: 1000 })).readings.length, 400);
    assert.equal((await s.getEpoch(k))!.close, secrets.epochClose);
    await s.close();
    assert.equal(scan(files, secrets), [], 'after close');
  } finally {
    tmp.remove();
  }
});

test.run();
