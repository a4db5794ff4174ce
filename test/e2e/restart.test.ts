// End to end over real sockets on 127.0.0.1: two sensors running the release
// core (one on UDP, one on TCP) enroll with `sealink relay` running as a child
// process and stream readings; the relay is SIGKILLed mid-stream, the sensors
// keep sealing into their storage, the relay restarts on the same ports and
// data dir, the sensors reconnect and resend. The owner, through the retrieval
// client, gets every reading exactly once, decrypted and verified, no gaps:
// both live (client.live(): reconnect and resume after the restart) and in a
// final fetch of the whole stream.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createClient, type LiveHandle } from '../../cloud/client/node.ts';
import type { SimSensor } from '../../cloud/sim/sensor.ts';
import { enrolledSensor, killRelay, newIdentity, sleep, startRelayChild, tempDir, waitFor, type RelayChild } from './support.ts';

const PER_PHASE = 12;
const PHASES = 3; // relay up, relay down (killed), relay restarted
const TOTAL = PER_PHASE * PHASES;

test('relay SIGKILLed mid-stream and restarted: sensors resend, the owner gets every reading exactly once, verified', async () => {
  const tmp = tempDir('restart');
  const dataDir = join(tmp.dir, 'data');
  const owner = newIdentity();
  let relay: RelayChild | undefined;
  const sensors: SimSensor[] = [];
  const feeds: LiveHandle[] = [];
  try {
    relay = await startRelayChild(dataDir, owner.did);
    const { ports, api } = relay;
    sensors.push(await enrolledSensor(api, owner, 'udp'), await enrolledSensor(api, owner, 'tcp'));

    const live = new Map<string, bigint[]>(sensors.map((s) => [s.did, []]));
    const liveIssues: string[] = [];
    const client = createClient({ baseUrl: api, ownerSeed: owner.seed });
    for (const s of sensors) {
      await new Promise<void>((opened, failed) => {
        feeds.push(client.live(s.did, (r) => live.get(s.did)!.push(r.seq), {
          since: 0,
          reconnect: { maxDelayMs: 1000 }, // the relay is down a few seconds: come back soon after it is up
          onIssue: (i) => liveIssues.push(`${s.did}: ${i.kind} ${i.detail}`),
          onOpen: () => opened(),
          onError: (e) => failed(e),
        }));
      });
    }

    // What each sensor sealed: seq -> payload text.
    const sealed = new Map<string, Map<bigint, string>>(sensors.map((s) => [s.did, new Map()]));
    const seal = (s: SimSensor, phase: number): void => {
      const seq = s.status().nextSeq;
      const text = JSON.stringify({ temp_c: 20 + Number(seq % 7n) / 10, phase, mark: `reading-${s.did.slice(-8)}-${seq}` });
      const st = s.reading(1 + Number(seq % 2n), new TextEncoder().encode(text));
      assert.is(st, 0, `fw_reading ${seq}`);
      sealed.get(s.did)!.set(seq, text);
    };
    const stream = async (phase: number): Promise<void> => {
      for (let i = 0; i < PER_PHASE; i++) {
        for (const s of sensors) seal(s, phase);
        await sleep(25);
      }
    };

    await stream(1);
    // Mid-stream: the last readings of phase 1 may not be acknowledged yet.
    await killRelay(relay);
    relay = undefined;
    await stream(2); // sealed into the sensors' storage while nobody listens
    assert.ok(sensors.every((s) => s.status().queued > 0), 'readings wait in the sensors\' queues while the relay is down');
    relay = await startRelayChild(dataDir, owner.did, ports);
    await stream(3);

    await waitFor(() => sensors.every((s) => s.status().queued === 0), 45_000,
      () => `every reading acknowledged (queued: ${sensors.map((s) => s.status().queued).join(', ')})`);
    await waitFor(() => [...live.values()].every((l) => l.length >= TOTAL), 10_000, () => `the owner has every reading live (${[...live.values()].map((l) => l.length).join(', ')} of ${TOTAL})`);

    const all = Array.from({ length: TOTAL }, (_, i) => BigInt(i + 1));
    for (const s of sensors) {
      assert.equal([...sealed.get(s.did)!.keys()], all, 'the core numbered its readings 1..N');
      // Live: each reading once (the client never hands one on twice: checked here, not assumed).
      assert.equal([...live.get(s.did)!].sort((a, b) => (a < b ? -1 : 1)), all, `live readings of ${s.did}`);
    }
    assert.equal(liveIssues, [], 'no relay misbehaviour reported');

    // The owner's final fetch of each whole stream, from the first epoch.
    for (const s of sensors) {
      const v = await client.readings({ device: s.did });
      assert.equal(v.readings.map((r) => r.seq), all, 'every reading exactly once, in order');
      for (const r of v.readings) assert.is(new TextDecoder().decode(r.payload), sealed.get(s.did)!.get(r.seq), `payload ${r.seq}`);
      assert.equal(v.issues.filter((i) => i.kind !== 'open').map((i) => `${i.kind}: ${i.detail}`), [], 'no gap, reorder, deletion or forgery');
    }
    assert.equal((await client.listDevices()).map((d) => d.did).sort(), sensors.map((s) => s.did).sort());
  } finally {
    for (const f of feeds) f.close();
    for (const s of sensors) s.close();
    await killRelay(relay);
    tmp.remove();
  }
});

test.run();
