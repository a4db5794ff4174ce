// `sealink relay` as a child process: --help, bad config exit code, and a
// SIGTERM during a stream of records loses no acknowledged record.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { DATABASE_FILE, readKey, STORAGE_KEY_FILE } from '../../cloud/app/keys.ts';
import { signApiToken } from '../../cloud/app/owner-key.ts';
import { DeviceClient, openUdpLink } from '../../cloud/device/index.ts';
import { openSqliteStore } from '../../cloud/store/index.ts';
import { newIdentity, reading, tempDir, within } from './support.ts';
import { BIN, startRelayChild } from '../support/relay-child.ts';


test('sealink relay --help / --version / a bad flag', () => {
  const h = spawnSync(process.execPath, [BIN, 'relay', '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(h.status, 0);
  assert.match(h.stdout, /usage: sealink relay/);
  assert.match(h.stdout, /SEALINK_UDP_PORT/);
  const v = spawnSync(process.execPath, [BIN, 'relay', '--version'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(v.status, 0);
  assert.match(v.stdout, /^sealink \d+\.\d+\.\d+/);
  const tmp = tempDir('badflag');
  try {
    const b = spawnSync(process.execPath, [BIN, 'relay', '--data-dir', join(tmp.dir, 'd'), '--udp-port', 'x'], { encoding: 'utf8', timeout: 30_000 });
    assert.is(b.status, 2);
    assert.match(b.stderr, /udpPort \(from flag --udp-port\)/);
    assert.not.ok(existsSync(join(tmp.dir, 'd')), 'no state change');
  } finally {
    tmp.remove();
  }
});

test('SIGTERM: graceful shutdown, no acknowledged record lost', async () => {
  const tmp = tempDir('sigterm');
  const owner = newIdentity();
  const dataDir = join(tmp.dir, 'data');
  const { child, ports, lines, exited } = await startRelayChild(dataDir, owner.did);
  let client: DeviceClient | undefined;
  try {
    const res = await fetch(`http://127.0.0.1:${ports.apiPort}/v1/claims`, { method: 'POST', headers: { authorization: `Bearer ${await signApiToken(owner)}` } });
    assert.is(res.status, 201);
    const bundle = decodeClaimBundle(((await res.json()) as { bundle: string }).bundle);
    const device = newIdentity();
    client = new DeviceClient({ identity: device, link: await openUdpLink('127.0.0.1', bundle.udpPort!) });
    await within(client.enroll(bundle), 10_000, 'enroll');
    await within(client.connect(), 10_000, 'connect');

    const acked: number[] = [];
    const N = 400;
    const sends: Promise<void>[] = [];
    let termSent = false;
    for (let seq = 1; seq <= N; seq++) {
      sends.push(client.send(reading(1, seq)).then(() => {
        acked.push(seq);
        if (!termSent && acked.length >= 50) { termSent = true; child.kill('SIGTERM'); }
      }, () => {}));
      if (seq % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const code = await within(exited, 20_000, 'relay exit').catch((e: Error) => { throw new Error(`${e.message}: ${lines.slice(-8).join('\n')}`); });
    assert.is(code, 0, lines.join('\n'));
    assert.ok(termSent);
    await client.close().catch(() => {});
    client = undefined;
    await Promise.allSettled(sends);
    assert.ok(acked.length >= 50, `acked ${acked.length}`);
    assert.ok(lines.some((l) => l.includes('relay: stopped')), 'stopped cleanly');

    const store = await openSqliteStore({ path: join(dataDir, DATABASE_FILE), key: readKey(join(dataDir, STORAGE_KEY_FILE)) });
    try {
      const stored = new Set<number>();
      let cursor: string | undefined;
      do {
        const p = await store.queryReadings({ device: device.did, order: 'sequence', limit: 1000, cursor });
        for (const r of p.readings) stored.add(r.seq);
        cursor = p.cursor;
      } while (cursor !== undefined);
      const lost = acked.filter((s) => !stored.has(s));
      assert.equal(lost, [], 'every acknowledged record is stored');
    } finally {
      await store.close();
    }
  } finally {
    await client?.close().catch(() => {});
    if (child.exitCode === null) child.kill('SIGKILL');
    tmp.remove();
  }
});

test.run();
