// End to end: a stolen copy of the relay's database reveals nothing. Real
// traffic this time (test/store/at-rest.test.ts checks the store alone):
// `sealink relay` as a child process, two sensors on the release core (UDP
// and TCP) enroll with one-time claims and stream readings with known
// plaintexts; the relay is SIGKILLed (the worst copy to steal: an
// uncheckpointed WAL next to the database) and its files are copied away and
// scanned for every plaintext, identity and claim secret in every likely
// encoding. The owner can still read everything (the data is there, sealed).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { DATABASE_FILE } from '../../cloud/app/keys.ts';
import { createClient } from '../../cloud/client/index.ts';
import { deviceClaimBundle } from '../../cloud/sim/claim.ts';
import { SimSensor } from '../../cloud/sim/sensor.ts';
import { STATE } from '../../cloud/sim/status.ts';
import { claim, coreModule, killRelay, newIdentity, scan, startRelayChild, tempDir, waitFor, type RelayChild } from './support.ts';

test('a stolen copy of the relay database (db, wal, shm) reveals no reading, identity or claim secret', async () => {
  const tmp = tempDir('stolen');
  const dataDir = join(tmp.dir, 'data');
  const owner = newIdentity();
  let relay: RelayChild | undefined;
  const sensors: SimSensor[] = [];
  try {
    relay = await startRelayChild(dataDir, owner.did);
    const secrets: Record<string, string | Uint8Array> = {
      ownerDid: owner.did, ownerEd25519: owner.ed25519PublicKey, ownerX25519: owner.x25519PublicKey,
    };
    for (const transport of ['udp', 'tcp'] as const) {
      const text = await claim(relay.api, owner);
      const bundle = decodeClaimBundle(text);
      secrets[`claimBundle-${transport}`] = text;
      secrets[`claimToken-${transport}`] = bundle.claimToken.slice();
      secrets[`claimId-${transport}`] = bundle.claimId.slice();
      const s = await SimSensor.start({ storage: new Map(), wasm: await coreModule(), log: () => {} });
      sensors.push(s);
      s.enroll(deviceClaimBundle(bundle, transport, owner.did));
      await s.waitFor((st) => st.state === STATE.ESTABLISHED, 15_000, `${transport} session`);
      secrets[`deviceDid-${transport}`] = s.did;
    }
    const plaintexts = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      for (const [k, s] of sensors.entries()) {
        const text = `{"temp_c":${(18 + i / 10).toFixed(1)},"where":"secret-greenhouse-${k}","n":"plaintext-${k}-${i}"}`;
        plaintexts.set(`reading-${k}-${i}`, text);
        assert.is(s.reading(1, new TextEncoder().encode(text)), 0);
      }
    }
    await waitFor(() => sensors.every((s) => s.status().queued === 0), 20_000, () => 'every reading acknowledged');
    Object.assign(secrets, Object.fromEntries(plaintexts), { marker0: 'secret-greenhouse-0', marker1: 'secret-greenhouse-1' });

    // The owner reads it all back through the relay (so it is really in there).
    const client = createClient({ baseUrl: relay.api, ownerSeed: owner.seed });
    for (const [k, s] of sensors.entries()) {
      const v = await client.readings({ device: s.did });
      assert.equal(v.readings.map((r) => new TextDecoder().decode(r.payload)), [...plaintexts.entries()].filter(([n]) => n.startsWith(`reading-${k}-`)).map(([, t]) => t));
    }

    await killRelay(relay);
    relay = undefined;
    const stolen = join(tmp.dir, 'stolen');
    mkdirSync(stolen);
    const files: string[] = [];
    for (const suffix of ['', '-wal', '-shm']) {
      const from = join(dataDir, `${DATABASE_FILE}${suffix}`);
      if (!existsSync(from)) continue;
      copyFileSync(from, join(stolen, `${DATABASE_FILE}${suffix}`));
      files.push(join(stolen, `${DATABASE_FILE}${suffix}`));
    }
    assert.ok(files.length >= 2, `database and WAL copied: ${files.join(', ')}`);
    assert.equal(scan(files, secrets), [], 'nothing in the stolen copy');
    // The scanner finds what is there in the clear (the schema's names): it can see.
    assert.ok(scan(files, { schema: 'readings_time' }).length > 0, 'positive control');
  } finally {
    for (const s of sensors) s.close();
    await killRelay(relay);
    tmp.remove();
  }
});

test.run();
