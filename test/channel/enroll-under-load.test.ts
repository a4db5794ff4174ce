// Many devices enrolling at once while the relay is under load (protocol §3,
// §5): most ENROLL_INITs get a COOKIE_REPLY, each device resends its ENROLL_INIT
// with mac2 (same `e`, not yet answered, so the replayed-ENROLL_INIT filter of
// §8 does not apply) and every enrollment completes. Each device sends from its
// own loopback address (127.21.b.a; Linux routes 127/8 to lo), as real devices
// do, so the per-source buckets of §5 are not what is measured.

import { createSocket } from 'node:dgram';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceClient, type Link } from '../../cloud/device/index.ts';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { rng } from '../support/rng.ts';
import { startRelay, within } from './harness.ts';

const DEVICES = 200;
/** Well below DEVICES, so the relay is "under load" for most of the burst. */
const LOAD_THRESHOLD = 20;

/** A UDP link like openUdpLink's, bound to the source address `local`. */
async function boundUdpLink(local: string, host: string, port: number): Promise<Link> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: local, port: 0 }, () => sock.connect(port, host, () => { sock.off('error', reject); resolve(); }));
  });
  let onMessage: (m: Uint8Array) => void = () => {};
  let closed = false;
  sock.on('message', (m) => onMessage(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
  sock.on('error', () => {});
  return {
    kind: 'udp',
    send: (m) => { if (!closed) sock.send(m); },
    onMessage: (h) => { onMessage = h; },
    onClose: () => {},
    get closed() { return closed; },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((r) => sock.close(() => r()));
    },
  };
}

test(`${DEVICES} devices enrolling at once under load all enroll (COOKIE_REPLY, then mac2)`, async () => {
  const relay = await startRelay({ label: 'enroll-under-load', limits: { loadThreshold: LOAD_THRESHOLD } });
  const r = rng('enroll-under-load');
  const devices: DeviceClient[] = [];
  try {
    for (let i = 0; i < DEVICES; i++) {
      const link = await boundUdpLink(`127.21.${Math.floor(i / 250)}.${1 + (i % 250)}`, relay.server.host, relay.server.udpPort);
      const seed = r.bytes(32);
      devices.push(new DeviceClient({ identity: identityFromSeed(seed), link, random: (n) => r.bytes(n) }));
    }
    const claims = devices.map(() => relay.claim());
    const results = await Promise.allSettled(devices.map((d, i) => within(d.enroll(claims[i]), 30_000, `enroll ${i}`)));
    const failed = results.flatMap((x, i) => (x.status === 'rejected' ? [`${i}: ${String(x.reason)}`] : []));
    const m = relay.server.metrics;
    assert.equal(failed, [], `drops ${JSON.stringify(Object.fromEntries(Object.entries(m.drops).filter(([, v]) => v > 0)))}`);
    assert.is(m.handshakes.enrolled, DEVICES);
    assert.ok(m.handshakes.cookieReplies > 0, 'the relay was under load (COOKIE_REPLY sent)');
    assert.is(m.drops['replayed-enroll-init'], 0, 'a resend with mac2 is never taken for a replay');
  } finally {
    await Promise.all(devices.map((d) => d.close().catch(() => {})));
    await relay.server.close();
  }
});

test.run();
