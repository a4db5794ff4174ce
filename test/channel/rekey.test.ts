// Key rotation on an injected clock (protocol §7): the device rekeys at
// REKEY_AFTER_TIME ± REKEY_JITTER, after REKEY_AFTER_MESSAGES, or on a REKEY
// frame; no DATA is lost across a rekey (the previous session keeps receiving,
// unacknowledged DATA is sent again); old keys are refused after REJECT_AFTER_TIME.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Link } from '../../cloud/device/index.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { closeAll, enrolledDevice, rawUdp, recording, settle, startRelay, waitFor, within, type Transport } from './harness.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: time-based rekey inside 120 s ± 30 s, twice, with DATA flowing and none lost`, async () => {
    const clock = new ManualClock();
    const relay = await startRelay({ label: `rekey-${transport}`, clock });
    let dev;
    try {
      dev = await enrolledDevice(relay, transport, { clock, limits: { retransmitTimeout: 60_000 } });
      await within(dev.client.connect(), 3000, 'connect');
      const start = clock.now();
      const sessions: { index: number; at: number }[] = [{ index: dev.client.sessionIndex!, at: start }];
      const acks: Promise<void>[] = [];
      let n = 0;
      let lastTrigger = start;
      const triggers: number[] = [];
      while (dev.client.stats.rekeysByTime < 2) {
        for (let k = 0; k < 2; k++) acks.push(dev.client.send(utf8(`m${n++}`)));
        const before = dev.client.stats.rekeysByTime;
        clock.advance(1000);
        if (dev.client.stats.rekeysByTime > before) { triggers.push(clock.now() - lastTrigger); lastTrigger = clock.now(); }
        await settle(3);
        const idx = dev.client.sessionIndex;
        if (idx !== undefined && idx !== sessions.at(-1)!.index) sessions.push({ index: idx, at: clock.now() });
        assert.ok(clock.now() - start < 400_000, 'rekeys happen');
      }
      await waitFor(() => dev!.client.stats.sessions === 3, 3000, 'second new session');
      for (const t of triggers) {
        assert.ok(t >= C.REKEY_AFTER_TIME - C.REKEY_JITTER && t <= C.REKEY_AFTER_TIME + C.REKEY_JITTER + 1000, `rekey after ${t} ms`);
      }
      await within(Promise.all(acks), 3000, 'every DATA acknowledged');
      const got = relay.delivered.map((d) => text(d.bytes));
      assert.is(got.length, n, 'delivered exactly once each');
      assert.equal([...new Set(got)].sort(), Array.from({ length: n }, (_, i) => `m${i}`).sort());
      assert.is(dev.client.stats.sessions, 3);
      await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 3, 2000, 'relay confirmed all three');
      assert.is(relay.server.metrics.drops.aead + relay.server.metrics.drops.replay, 0);
    } finally {
      await closeAll(dev, relay.server);
    }
  });
}

test('requestRekey(did) sends REKEY; the device handshakes at once', async () => {
  const relay = await startRelay({ label: 'rekey-request' });
  let dev;
  try {
    dev = await enrolledDevice(relay, 'udp');
    await within(dev.client.connect(), 3000, 'connect');
    await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'key confirmation');
    const first = dev.client.sessionIndex;
    assert.ok(relay.server.requestRekey(dev.identity.did));
    await waitFor(() => dev!.client.sessionIndex !== first, 3000, 'new session');
    assert.is(dev.client.stats.rekeysRequested, 1);
    assert.is(relay.server.metrics.rekeysRequested, 1);
    await within(dev.client.send(utf8('after')), 2000, 'data on the new session');
    assert.not.ok(relay.server.requestRekey('did:key:nobody'));
  } finally {
    await closeAll(dev, relay.server);
  }
});

test('message budget: rekey after REKEY_AFTER_MESSAGES, never past REJECT_AFTER_MESSAGES', async () => {
  const relay = await startRelay({ label: 'rekey-messages', limits: { rejectAfterMessages: 40 } });
  let dev;
  try {
    dev = await enrolledDevice(relay, 'udp', { limits: { rekeyAfterMessages: 20, rejectAfterMessages: 40 } });
    await within(dev.client.connect(), 3000, 'connect');
    for (let i = 0; i < 150; i++) await within(dev.client.send(utf8(`x${i}`)), 2000, `send ${i}`);
    assert.ok(dev.client.stats.rekeysByMessages >= 3, `rekeys: ${dev.client.stats.rekeysByMessages}`);
    assert.is(relay.delivered.length, 150);
    assert.is(relay.server.metrics.drops['counter-limit'], 0);
  } finally {
    await closeAll(dev, relay.server);
  }
});

test('lossy link: records dropped around a rekey are sent again; nothing is lost', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'rekey-lossy', clock });
  let dev;
  let count = 0;
  const lossy = (link: Link): Link => ({
    kind: link.kind,
    send: (m) => { if (m[0] === C.TRANSPORT && ++count % 4 === 0) return; link.send(m); }, // lose every 4th record
    onMessage: (h) => link.onMessage(h), onClose: (h) => link.onClose(h),
    get closed() { return link.closed; }, close: () => link.close(),
  });
  try {
    dev = await enrolledDevice(relay, 'udp', { clock, wrap: lossy });
    await within(dev.client.connect(), 3000, 'connect');
    const acks: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      acks.push(dev.client.send(utf8(`r${i}`)));
      if (i === 20) dev.client.rekey();
      clock.advance(500);
      await settle(3);
    }
    for (let i = 0; i < 40 && dev.client.unackedCount > 0; i++) { clock.advance(C.REKEY_TIMEOUT); await settle(5); }
    await within(Promise.all(acks), 3000, 'all acknowledged');
    const got = new Set(relay.delivered.map((d) => text(d.bytes)));
    assert.is(got.size, 40, 'every reading arrived');
    assert.ok(dev.client.stats.retransmits > 0);
  } finally {
    await closeAll(dev, relay.server);
  }
});

test('an overdue device is asked to rekey; records under keys older than REJECT_AFTER_TIME are refused', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'reject-time', clock });
  const sent: Uint8Array[] = [];
  let dev;
  const raw = await rawUdp(relay);
  try {
    // This device never rekeys on its own timer; its keepalives reach the relay every 25 s.
    dev = await enrolledDevice(relay, 'udp', { clock, wrap: recording(sent), limits: { rekeyAfterTime: 10 ** 9, rekeyJitter: 0 } });
    await within(dev.client.connect(), 3000, 'connect');
    await within(dev.client.send(utf8('old')), 2000, 'sent');
    const oldRecord = sent.filter((m) => m[0] === C.TRANSPORT).at(-1)!;
    const t0 = clock.now();
    while (dev.client.stats.rekeysRequested === 0) {
      clock.advance(1000);
      await settle(2);
      assert.ok(clock.now() - t0 <= C.REKEY_AFTER_TIME + C.REKEY_JITTER + C.KEEPALIVE_TIMEOUT + 1000, 'REKEY in time');
    }
    assert.ok(clock.now() - t0 >= C.REKEY_AFTER_TIME + C.REKEY_JITTER, 'not before the device is overdue');
    await waitFor(() => dev!.client.stats.sessions === 2, 2000, 'rekeyed on request');
    while (clock.now() - t0 < C.REJECT_AFTER_TIME + 2 * C.REKEY_TIMEOUT) { clock.advance(1000); await settle(1); }
    const drops = relay.server.metrics.drops;
    const delivered = relay.delivered.length;
    const before = drops['unknown-index'] + drops['expired-session'];
    raw.send(oldRecord);
    await waitFor(() => drops['unknown-index'] + drops['expired-session'] === before + 1, 2000, 'refused');
    assert.is(relay.delivered.length, delivered);
    assert.ok(relay.server.metrics.sessionsExpired + relay.server.metrics.handshakes.sessionsConfirmed >= 2);
  } finally {
    await closeAll(raw, dev, relay.server);
  }
});

test.run();
