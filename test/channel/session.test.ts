// Enrollment (XXpsk3), then a session (IKpsk2), then DATA with ACKs, over UDP
// and over TCP on 127.0.0.1 (protocol §3, §4, §6).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceError } from '../../cloud/device/index.ts';
import { totalDrops } from '../../cloud/relay/index.ts';
import { SessionTable } from '../../cloud/relay/session-table.ts';
import { closeAll, enrolledDevice, openDevice, startRelay, waitFor, within, type Transport } from './harness.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: enroll, open a session, send DATA both ways`, async () => {
    const relay = await startRelay({ label: `session-${transport}` });
    let dev;
    try {
      dev = await enrolledDevice(relay, transport);
      const creds = dev.client.credentials!;
      assert.is(creds.admissionKey.length, 32);
      assert.equal([...creds.admissionKey], [...relay.admissionKey], 'ENROLLED carried the admission key');
      const rec = relay.registry.deviceByDid(dev.identity.did)!;
      assert.ok(rec !== undefined && !rec.revoked, 'device registered under its DID');
      assert.equal([...rec.devicePsk], [...creds.devicePsk], 'both sides derived the same device_psk');
      assert.equal([...rec.staticKey], [...dev.identity.x25519PublicKey]);
      assert.is(dev.persisted.length, 1, 'credentials persisted once after enrollment');

      await within(dev.client.connect(), 3000, 'connect');
      const N = 50;
      await within(Promise.all(Array.from({ length: N }, (_, i) => dev!.client.send(utf8(`reading ${i}`)))), 3000, 'acks');
      assert.is(relay.delivered.length, N);
      assert.equal(relay.delivered.map((d) => text(d.bytes)), Array.from({ length: N }, (_, i) => `reading ${i}`), 'in order, none lost');
      assert.ok(relay.delivered.every((d) => d.did === dev!.identity.did));
      assert.is(dev.client.unackedCount, 0);

      assert.ok(relay.server.sendData(dev.identity.did, utf8('control')), 'relay -> device DATA');
      await waitFor(() => dev!.received.length === 1, 2000, 'control delivered');
      assert.is(text(dev.received[0]), 'control');

      const m = relay.server.metrics;
      assert.is(m.handshakes.enrolled, 1);
      assert.is(m.handshakes.sessionInits, 1);
      assert.is(m.handshakes.sessionsConfirmed, 1);
      assert.is(m.dataDelivered, N);
      assert.is(totalDrops(m), 0, JSON.stringify(m.drops));
      // enrollment: keygen, ee, es (ENROLL_RESP), se (ENROLL_FINISH); session: es, ss, keygen, ee, se
      assert.is(m.dhOperations, 4 + 5);
    } finally {
      await closeAll(dev, relay.server);
    }
  });
}

// The relay puts its index in SESSION_RESP's header, which the handshake hash binds (§2), so it
// picks the index before writing message 2 and before storing the counter (an await): the index
// is held meanwhile so a concurrent handshake cannot be given the same one.
test('session table: a reserved index is not handed out again until released', () => {
  const draws = [7, 7, 7, 9, 7];
  const table = new SessionTable(() => { const i = draws.shift()!; return new Uint8Array([i, 0, 0, 0]); });
  const held = table.reserveIndex();
  assert.is(held, 7);
  assert.is(table.allocateIndex(), 9, 'the held index is skipped');
  table.releaseIndex(held);
  assert.is(table.allocateIndex(), 7, 'free again once released');
  assert.is(draws.length, 0);
});

test('a device pinning another relay key is dropped at mac1, before any DH', async () => {
  const relay = await startRelay({ label: 'pin' });
  let dev;
  try {
    dev = await openDevice(relay, 'udp');
    const other = new Uint8Array(32); other[0] = 9; // some other X25519 key
    const enrolling = dev.client.enroll({ ...relay.claim(), relayDid: undefined, relayStatic: other });
    const outcome = enrolling.then(() => 'enrolled', (e: unknown) => (e instanceof DeviceError ? e.code : String(e)));
    await waitFor(() => relay.server.metrics.drops.mac1 === 1, 2000, 'mac1 drop');
    assert.is(relay.server.metrics.dhOperations, 0);
    await dev.client.close();
    assert.is(await outcome, 'closed');
  } finally {
    await closeAll(dev, relay.server);
  }
});

test.run();
