// TCP framing (protocol §2): a chunk holding good frames and then a bad length
// prefix. The frames before the bad length are handled (a read often carries
// several: losing them would lose records the device already sent), nothing
// after it is read, and the connection closes. Checked on the decoder and on a
// real relay connection.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as C from '../../cloud/protocol/constants.ts';
import { FramingError, frameTcp, TcpFrameDecoder } from '../../cloud/protocol/tcp-framing.ts';
import { completeSession, data, rawTcpPeer, sessionInit, type RawPeer } from '../attacks/support/scripted.ts';
import { rng } from '../support/rng.ts';
import { toHex } from '../support/hex.ts';
import { closeAll, enrolledDevice, settle, startRelay, waitFor } from './harness.ts';

const r = rng('tcp-framing');
const BAD_LENGTHS = [[0, 0], [0, 3], [0x05, 0xc1] /* 1473 */, [0xff, 0xff]];

test('decoder: the messages before a bad length come out with the error; nothing after it; it stays failed', () => {
  const msgs = [r.bytes(60), r.bytes(4), r.bytes(1472)];
  const good = Uint8Array.from(msgs.flatMap((m) => [...frameTcp(m)]));
  for (const bad of BAD_LENGTHS) {
    const after = frameTcp(r.bytes(32)); // a well-framed message behind the bad length: never read
    const dec = new TcpFrameDecoder();
    const { messages, error } = dec.decode(Uint8Array.from([...good, ...bad, ...after]));
    assert.equal(messages.map(toHex), msgs.map(toHex), `good frames kept before ${bad}`);
    assert.instance(error, FramingError);
    assert.is(error!.length, (bad[0] << 8) | bad[1]);
    assert.ok(dec.failed);
    assert.is(dec.pending, 0);
    const later = dec.decode(frameTcp(msgs[0]));
    assert.equal(later.messages, [], 'stays failed');
    assert.instance(later.error, FramingError);
    // The throwing form carries the same messages on its error.
    const dec2 = new TcpFrameDecoder();
    try {
      dec2.push(Uint8Array.from([...good, ...bad]));
      assert.unreachable('push must throw');
    } catch (e) {
      assert.instance(e, FramingError);
      assert.equal((e as FramingError).messages.map(toHex), msgs.map(toHex));
    }
  }
  // A bad length split across chunks: the frames of the first chunk were already handed out.
  const dec = new TcpFrameDecoder();
  assert.equal(dec.decode(Uint8Array.from([...good, 0xff])).messages.map(toHex), msgs.map(toHex));
  const tail = dec.decode(Uint8Array.from([0xff]));
  assert.equal(tail.messages, []);
  assert.instance(tail.error, FramingError);
});

test('relay: DATA records in the same read as a bad length are delivered; then the connection closes', async () => {
  const relay = await startRelay({ label: 'tcp-bad-length' });
  let peer: RawPeer | undefined;
  try {
    // Credentials from a real enrollment over TCP; the session is then driven by hand.
    const dev = await enrolledDevice(relay, 'tcp', { label: 'tcp-bad-length' });
    const creds = dev.client.credentials!;
    await closeAll(dev);
    peer = await rawTcpPeer(relay.server.host, relay.server.tcpPort);
    const init = sessionInit(dev.identity, creds, 1n, 0x1234);
    peer.send(init.message);
    await waitFor(() => peer!.replies.length === 1, 2000, 'SESSION_RESP');
    const s = completeSession(init, peer.replies[0]);
    const readings = [r.bytes(20), r.bytes(40), r.bytes(5)];
    const chunk = Uint8Array.from([
      ...frameTcp(s.record(0, [data(readings[0])])),
      ...frameTcp(s.record(1, [data(readings[1]), data(readings[2])])),
      0xff, 0xff, // a bad length
      ...frameTcp(s.record(2, [data(r.bytes(9))])), // behind it: never read
    ]);
    peer.sendRaw(chunk);
    await waitFor(() => peer!.closed, 2000, 'connection closed');
    await waitFor(() => relay.delivered.length === 3, 2000, 'the records before the bad length delivered');
    await settle(20);
    assert.equal(relay.delivered.map((d) => toHex(d.bytes)), readings.map(toHex), 'in order, and nothing from behind the bad length');
    assert.ok(relay.delivered.every((d) => d.did === dev.identity.did));
    assert.is(relay.server.metrics.drops['tcp-bad-length'], 1);
    assert.is(relay.server.metrics.recordsIn, 2);
    assert.is([...relay.server.channel.table.sessions()].length, 0, 'the session ended with its connection (§4)');
    // Whatever the relay answered before closing is well framed and no larger than what it answers.
    for (const m of peer.replies) assert.ok(m.length <= C.SESSION_INIT_BYTES);
  } finally {
    await closeAll(peer, relay.server);
  }
});

test.run();
