// End to end: a relay that drops or reorders stored readings is caught by the
// owner's retrieval client. Real relay app on 127.0.0.1, a sensor running the
// release core streams enough readings to close an epoch, and the owner reads
// them through a front that misbehaves like a compromised relay would: it
// leaves out or swaps records in the relay's answers. The client must report
// each trick (docs/readings.md "What the owner verifies") and still deliver
// the readings it can prove.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CONFIG } from '../../cloud/app/config.ts';
import { startRelayApp, type RelayApp } from '../../cloud/app/relay.ts';
import { createClient } from '../../cloud/client/index.ts';
import type { SimSensor } from '../../cloud/sim/sensor.ts';
import { enrolledSensor, newIdentity, tempDir, waitFor } from './support.ts';

interface WireRecord { record: string; receivedAt: number }
type Tamper = (records: WireRecord[]) => WireRecord[];

/** An HTTP front for the relay API that passes everything through, and lets `tamper` rewrite record pages. */
async function front(api: string): Promise<{ url: string; tamper: { fn: Tamper }; close(): Promise<void> }> {
  const tamper = { fn: ((r) => r) as Tamper };
  const server: Server = createServer(async (req, res) => {
    const upstream = await fetch(`${api}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
    let body = await upstream.text();
    if (upstream.ok && /\/records(\?|$)/.test(req.url ?? '')) {
      const page = JSON.parse(body) as { records: WireRecord[]; next: string | null };
      body = JSON.stringify({ ...page, records: tamper.fn(page.records) });
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tamper,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const kindOf = (w: WireRecord): number => Buffer.from(w.record, 'base64')[0];
const seqOf = (w: WireRecord): bigint => Buffer.from(w.record, 'base64').readBigUInt64LE(5);

test('a relay that drops, reorders or deletes stored readings is detected by the client', async () => {
  const tmp = tempDir('tamper');
  const owner = newIdentity();
  let app: RelayApp | undefined;
  let sensor: SimSensor | undefined;
  let fr: Awaited<ReturnType<typeof front>> | undefined;
  try {
    app = await startRelayApp({
      ...DEFAULT_CONFIG, dataDir: tmp.dir, owners: [owner.did], host: '127.0.0.1', udpPort: 0, tcpPort: 0,
      apiHost: '127.0.0.1', apiPort: 0, logLevel: 'silent', commitDelayMs: 1,
    });
    const api = `http://127.0.0.1:${app.api.port}`;
    sensor = await enrolledSensor(api, owner, 'udp');
    // More than the largest epoch (64 + 25 %): at least one epoch is closed and signed.
    const N = 100;
    for (let i = 0; i < N; i++) assert.is(sensor.reading(1, new TextEncoder().encode(`{"temp_c":${20 + (i % 10) / 10}}`)), 0);
    const s = sensor;
    await waitFor(() => s.status().queued === 0, 20_000, () => `all acknowledged (queued ${s.status().queued})`);

    fr = await front(api);
    const client = createClient({ baseUrl: fr.url, ownerSeed: owner.seed });
    const kinds = async () => {
      const v = await client.readings({ device: s.did });
      return { seqs: v.readings.map((r) => Number(r.seq)), issues: v.issues.map((i) => i.kind).filter((k) => k !== 'open') };
    };

    // Honest: everything, no issue.
    const honest = await kinds();
    assert.equal(honest.seqs, Array.from({ length: N }, (_, i) => i + 1));
    assert.equal(honest.issues, []);

    // Drops reading 10 (mid-epoch): a gap at 10, the others still delivered.
    fr.tamper.fn = (rs) => rs.filter((w) => !(kindOf(w) === 2 && seqOf(w) === 10n));
    const dropped = await kinds();
    assert.ok(dropped.issues.includes('gap'), `issues: ${dropped.issues}`);
    assert.not.ok(dropped.seqs.includes(10));
    assert.is(dropped.seqs.length, N - 1);

    // Swaps readings 20 and 21: a reorder, nothing lost.
    fr.tamper.fn = (rs) => {
      const out = [...rs];
      const i = out.findIndex((w) => kindOf(w) === 2 && seqOf(w) === 20n);
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
      return out;
    };
    const swapped = await kinds();
    assert.ok(swapped.issues.includes('reorder'), `issues: ${swapped.issues}`);
    assert.is(swapped.seqs.length, N);

    // Deletes the last reading of the first (closed) epoch: no gap to see, but the signed chain and count catch it.
    const close = (rs: WireRecord[]) => rs.find((w) => kindOf(w) === 3);
    fr.tamper.fn = (rs) => {
      const c = close(rs);
      assert.ok(c, 'the first epoch is closed');
      const last = Buffer.from(c!.record, 'base64').readBigUInt64LE(5);
      return rs.filter((w) => !(kindOf(w) === 2 && seqOf(w) === last));
    };
    const cut = await kinds();
    assert.ok(cut.issues.includes('deleted'), `issues: ${cut.issues}`);

    // One altered ciphertext byte: a forgery, and that reading is not delivered.
    fr.tamper.fn = (rs) => rs.map((w) => {
      if (!(kindOf(w) === 2 && seqOf(w) === 30n)) return w;
      const b = Buffer.from(w.record, 'base64');
      b[b.length - 1] ^= 1;
      return { ...w, record: b.toString('base64') };
    });
    const forged = await kinds();
    assert.ok(forged.issues.includes('forged'), `issues: ${forged.issues}`);
    assert.not.ok(forged.seqs.includes(30));
  } finally {
    sensor?.close();
    await fr?.close();
    await app?.close();
    tmp.remove();
  }
});

test.run();
