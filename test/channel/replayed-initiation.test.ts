// Replayed and older initiations are refused (protocol §4, §8): the counter in
// SESSION_INIT must exceed the last accepted one; the counter is stored only
// once a handshake succeeded. Unknown devices cost exactly one DH.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { closeAll, enrolledDevice, openDevice, rawUdp, recording, settle, startRelay, waitFor, within } from './harness.ts';
import { rng } from '../support/rng.ts';

test('a captured SESSION_INIT replayed later gets no answer and changes nothing', async () => {
  const relay = await startRelay({ label: 'replay-init' });
  const sent: Uint8Array[] = [];
  let dev;
  const raw = await rawUdp(relay);
  try {
    dev = await enrolledDevice(relay, 'udp', { wrap: recording(sent) });
    await within(dev.client.connect(), 3000, 'connect');
    const init1 = sent.find((m) => m[0] === 1)!;
    const index1 = dev.client.sessionIndex;
    assert.is(relay.registry.deviceByDid(dev.identity.did)!.lastCounter, 1n);

    // Replay of the accepted initiation (same counter), from another source.
    raw.send(init1);
    await waitFor(() => relay.server.metrics.drops['replayed-initiation'] === 1, 2000, 'replay dropped');
    assert.is(relay.server.metrics.handshakes.sessionInits, 2);

    // A second handshake moves the counter to 2; the first initiation is now "older".
    dev.client.rekey();
    await waitFor(() => dev!.client.sessionIndex !== index1, 3000, 'rekeyed');
    assert.is(relay.registry.deviceByDid(dev.identity.did)!.lastCounter, 2n);
    const init2 = sent.filter((m) => m[0] === 1)[1];
    raw.send(init1);
    raw.send(init2);
    await waitFor(() => relay.server.metrics.drops['replayed-initiation'] === 3, 2000, 'both dropped');
    await settle();
    assert.is(raw.replies.length, 0, 'no SESSION_RESP to a replay');
    assert.is(relay.registry.deviceByDid(dev.identity.did)!.lastCounter, 2n, 'counter unchanged');
    await within(dev.client.send(new Uint8Array([1])), 2000, 'device unaffected');
  } finally {
    await closeAll(raw, dev, relay.server);
  }
});

test('a failed handshake does not store its counter; a reboot skips the reserved block', async () => {
  const relay = await startRelay({ label: 'counter-store' });
  let dev, rebooted;
  try {
    dev = await enrolledDevice(relay, 'udp');
    await within(dev.client.connect(), 3000, 'connect');
    const creds = dev.client.credentials!;
    assert.is(creds.counter, 16n, 'write-ahead: block of COUNTER_RESERVE reserved before counter 1 was sent');
    await dev.client.close();
    // Reboot with the persisted state: the next initiation carries 17.
    rebooted = await openDevice(relay, 'udp', { identity: dev.identity, credentials: dev.persisted.at(-1) });
    await within(rebooted.client.connect(), 3000, 'connect after reboot');
    assert.is(relay.registry.deviceByDid(dev.identity.did)!.lastCounter, 17n);
    assert.is(rebooted.client.credentials!.counter, 32n);
  } finally {
    await closeAll(dev, rebooted, relay.server);
  }
});

test('an unknown device with a valid mac1 costs exactly one DH and gets no reply', async () => {
  const relay = await startRelay({ label: 'unknown-device' });
  let stranger;
  try {
    // An enrolled-looking device (it holds the admission key) whose key the registry does not know.
    const enrolled = await enrolledDevice(relay, 'udp');
    const creds = enrolled.client.credentials!;
    await enrolled.client.close();
    const dh0 = relay.server.metrics.dhOperations;
    stranger = await openDevice(relay, 'udp', { identity: identityFromSeed(rng('stranger').bytes(32)), credentials: creds });
    const p = stranger.client.connect().catch(() => undefined);
    await waitFor(() => relay.server.metrics.drops['unknown-device'] === 1, 2000, 'dropped');
    assert.is(relay.server.metrics.dhOperations - dh0, 1, 'es only');
    await stranger.client.close();
    await p;
    assert.is(stranger.client.stats.recordsReceived, 0);
  } finally {
    await closeAll(stranger, relay.server);
  }
});

test.run();
