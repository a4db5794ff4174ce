// Revocation (protocol §4, §8): revoke(did) ends the device's sessions at once;
// its records and new initiations are dropped afterwards; its TCP connection closes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeAll, enrolledDevice, recording, settle, startRelay, waitFor, within, type Transport } from './harness.ts';
import { rawUdp } from './harness.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: revoke ends the sessions at once and refuses new ones`, async () => {
    const relay = await startRelay({ label: `revoke-${transport}` });
    const sent: Uint8Array[] = [];
    let dev, other;
    try {
      dev = await enrolledDevice(relay, transport, { wrap: recording(sent) });
      other = await enrolledDevice(relay, transport);
      await within(Promise.all([dev.client.connect(), other.client.connect()]), 3000, 'connect');
      await within(dev.client.send(utf8('before')), 2000, 'ack before');
      assert.is(relay.server.channel.table.current(dev.identity.did) !== undefined, true);

      await relay.server.revoke(dev.identity.did);
      assert.is(relay.server.channel.table.current(dev.identity.did), undefined, 'no session left');
      assert.ok(relay.registry.deviceByDid(dev.identity.did)!.revoked, 'registry marked');
      assert.not.ok(relay.server.sendData(dev.identity.did, utf8('x')));

      if (transport === 'udp') {
        // A record on the ended session is dropped as unknown (keys are gone).
        const before = relay.server.metrics.drops['unknown-index'];
        const lastRecord = sent.filter((m) => m[0] === 4).at(-1)!;
        const raw = await rawUdp(relay);
        try {
          raw.send(lastRecord);
          await waitFor(() => relay.server.metrics.drops['unknown-index'] === before + 1, 2000, 'record dropped');
          // A new initiation from the revoked device: dropped after the es DH, no reply.
          const dhBefore = relay.server.metrics.dhOperations;
          dev.client.rekey();
          await waitFor(() => relay.server.metrics.drops.revoked === 1, 2000, 'initiation refused');
          assert.is(relay.server.metrics.dhOperations - dhBefore, 1, 'only es');
          await settle();
          assert.is(raw.replies.length, 0);
        } finally {
          await raw.close();
        }
      } else {
        await waitFor(() => dev!.link.closed, 2000, 'TCP connection of the revoked device closed');
      }
      const delivered = relay.delivered.length;
      // The other device is untouched.
      await within(other.client.send(utf8('still here')), 2000, 'other device');
      assert.is(relay.delivered.length, delivered + 1);
      assert.is(relay.delivered.at(-1)!.did, other.identity.did);
    } finally {
      await closeAll(dev, other, relay.server);
    }
  });
}

test('a revoked DID cannot enroll again with a new claim', async () => {
  const relay = await startRelay({ label: 'revoke-reenroll' });
  let dev, again;
  try {
    dev = await enrolledDevice(relay, 'udp');
    await relay.server.revoke(dev.identity.did);
    again = await (await import('./harness.ts')).openDevice(relay, 'udp', { identity: dev.identity });
    const p = again.client.enroll(relay.claim()).then(() => 'enrolled', () => 'failed');
    await waitFor(() => relay.server.metrics.drops['enroll-refused'] === 1, 3000, 'registration refused');
    assert.is(relay.server.metrics.handshakes.enrolled, 1);
    await again.client.close();
    assert.is(await p, 'failed');
  } finally {
    await closeAll(dev, again, relay.server);
  }
});

test.run();
