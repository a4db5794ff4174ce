// The owner key in the claim bundle comes from the owner, not the relay:
// `sealink claim create` (cloud/cli/claim.ts) writes the LOCAL owner key's
// did:key into the bundle it prints, and refuses a relay answer that names
// another owner (a relay that could choose the key would open every reading).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { claimCommand, CliError } from '../../cloud/cli/claim.ts';
import { decodeClaimBundle, encodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { createOwnerKey } from '../../cloud/app/owner-key.ts';
import { startTestRelay, tempDir, newIdentity, apiUrl } from '../app/support.ts';

const test = suite('readings: the owner key in the claim bundle');

/** Runs `sealink claim create` in process; returns its exit code and stdout. */
async function claimCreate(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  try {
    const code = await claimCommand(['create', ...argv]);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

test('claim create puts the local owner key in the bundle', async () => {
  const tmp = tempDir('owner-bundle');
  try {
    const keyPath = join(tmp.dir, 'owner.json');
    const owner = createOwnerKey(keyPath);
    const app = await startTestRelay(join(tmp.dir, 'relay'), [owner]);
    try {
      const r = await claimCreate(['--relay', apiUrl(app, '/'), '--key', keyPath]);
      assert.is(r.code, 0);
      const line = r.out.split('\n').find((l) => l.startsWith('sealink1:'));
      assert.ok(line, r.out);
      const b = decodeClaimBundle(line!);
      assert.is(b.ownerDid, owner.did);
      assert.is(b.relayDid, app.did);
      assert.ok(r.out.includes(`owner:      ${owner.did}`));
    } finally {
      await app.close();
    }
  } finally {
    tmp.remove();
  }
});

test('claim create refuses a relay answer naming another owner', async () => {
  const tmp = tempDir('owner-bundle-evil');
  let server: Server | undefined;
  try {
    const keyPath = join(tmp.dir, 'owner.json');
    createOwnerKey(keyPath);
    const relayKey = newIdentity();
    const evil = newIdentity();
    const bundle = encodeClaimBundle({
      relayDid: relayKey.did, host: '127.0.0.1', udpPort: 7410, claimId: new Uint8Array(randomBytes(8)),
      claimToken: new Uint8Array(randomBytes(16)), ownerDid: evil.did,
    });
    server = createServer((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bundle, expiresAt: Date.now() + 60_000, claimId: '00' }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    let thrown: unknown;
    try { await claimCreate(['--relay', `http://127.0.0.1:${port}/`, '--key', keyPath]); } catch (e) { thrown = e; }
    assert.ok(thrown instanceof CliError, String(thrown));
    assert.match((thrown as Error).message, /another owner/);
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    tmp.remove();
  }
});

test.run();
