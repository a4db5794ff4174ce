// Attack: replay. An attacker records traffic and plays it back: initiations
// (refused: the counter must exceed the last accepted one, protocol §4, even
// across a relay restart), transport records (UDP: a window of 4096 counters,
// each accepted once; TCP: strict order, else the connection closes, §6), and
// the counter limits of §7 (REJECT_AFTER_MESSAGES on receive and send; 64-bit
// counters beyond 2^53 never wrap into valid ones).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceCredentials } from '../../cloud/device/index.ts';
import type { Identity } from '../../cloud/keys/did.ts';
import * as C from '../../cloud/protocol/constants.ts';
import type { Frame } from '../../cloud/protocol/frames.ts';
import { writeU64 } from '../../cloud/protocol/bytes.ts';
import { Channel, type Endpoint } from '../../cloud/relay/index.ts';
import { closeAll, settle, startRelay, waitFor, within, type Relay } from '../channel/harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { noteWasmDevice, openDeviceAt, wasmDeviceAvailable, type AttackDevice, type Transport } from './support/devices.ts';
import { openWasmDevice, STATE, type WasmDevice } from './support/wasm-device.ts';
import { startProxy, type Proxy } from './support/proxy.ts';
import { completeSession, data, rawTcpPeer, rawUdpPeer, sessionInit, type RawPeer, type ScriptedSession } from './support/scripted.ts';
import { dropDelta, metricsSnapshot, relayState } from './support/state.ts';

const r = rng('replay');
const W = C.REPLAY_WINDOW_RELAY;

/** Enroll a device (then close it): its identity and credentials, for a scripted session. */
async function enrolledIdentity(relay: Relay, label: string): Promise<{ identity: Identity; creds: DeviceCredentials }> {
  const d = await openDeviceAt('udp', relay.server.host, relay.server.udpPort, { label });
  const creds = await within(d.client.enroll(relay.claim()), 3000, 'enroll');
  await d.close();
  return { identity: d.identity, creds };
}

/** A scripted session over `peer` (counter = the next initiation counter). */
async function scriptedSession(peer: RawPeer, identity: Identity, creds: DeviceCredentials, counter: bigint): Promise<ScriptedSession> {
  const init = sessionInit(identity, creds, counter, r.u32());
  const before = peer.replies.length;
  peer.send(init.message);
  await waitFor(() => peer.replies.length > before, 2000, 'SESSION_RESP');
  return completeSession(init, peer.replies[before]);
}

/** ACKed counters and REKEY frames in the relay's records on `s` since `from`. */
function fromRelay(peer: RawPeer, s: ScriptedSession, from = 0): { acks: number[]; rekeys: number; data: number; records: number } {
  const out = { acks: [] as number[], rekeys: 0, data: 0, records: 0 };
  for (const m of peer.replies.slice(from)) {
    if (m[0] !== C.TRANSPORT) continue;
    const frames = s.open(m);
    if (frames === null) continue;
    out.records++;
    for (const f of frames as Frame[]) {
      if (f.kind === C.FRAME_ACK) out.acks.push(f.counter);
      else if (f.kind === C.FRAME_REKEY) out.rekeys++;
      else if (f.kind === C.FRAME_DATA) out.data++;
    }
  }
  out.acks.sort((a, b) => a - b);
  return out;
}

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: replayed and older initiations are refused (no reply, counter unchanged), also after a relay restart`, async () => {
    const relay = await startRelay({ label: `replay-init-${transport}` });
    let proxy: Proxy | undefined;
    let dev: AttackDevice | undefined;
    let raw: RawPeer | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `replay-init-${transport}` });
      await within(dev.client.enroll(relay.claim()), 3000, 'enroll');
      await within(dev.client.connect(), 3000, 'session 1');
      const first = dev.client.sessionIndex;
      dev.client.rekey();
      await waitFor(() => dev!.client.sessionIndex !== first, 3000, 'session 2');
      await within(dev.client.send(new Uint8Array([1])), 2000, 'DATA');
      const inits = proxy.messages.filter((m) => m.dir === 'up' && m.bytes[0] === C.SESSION_INIT).map((m) => m.bytes);
      assert.is(inits.length, 2);
      const did = dev.identity.did;
      assert.is(relay.registry.deviceByDid(did)!.lastCounter, 2n);

      raw = transport === 'udp' ? await rawUdpPeer(relay.server.host, relay.server.udpPort) : await rawTcpPeer(relay.server.host, relay.server.tcpPort);
      const m0 = metricsSnapshot(relay.server.metrics);
      const s0 = relayState(relay.server.channel, relay.registry);
      const down0 = proxy.messages.filter((m) => m.dir === 'down').length;
      raw.send(inits[1]); // the last accepted one, from another source
      raw.send(inits[0]); // an older one
      proxy.inject('up', inits[1]); // and from the device's own source
      await waitFor(() => relay.server.metrics.drops['replayed-initiation'] - m0.drops['replayed-initiation'] === 3, 2000, 'three refused');
      await settle(30);
      assert.equal(dropDelta(m0, relay.server.metrics), { 'replayed-initiation': 3 });
      assert.is(relay.server.metrics.dhOperations - m0.dhOperations, 6, 'two DH each ("es", "ss") before the counter can be read');
      assert.is(raw.replies.length, 0, 'no reply');
      assert.is(proxy.messages.filter((m) => m.dir === 'down').length, down0, 'no reply toward the device either');
      assert.is(relayState(relay.server.channel, relay.registry), s0, 'counter, sessions, registry unchanged');

      // A relay restart (fresh Channel, same registry): the registry's counter still refuses them.
      const clone = new Channel({ staticSecret: relay.identity.x25519Secret, admissionKey: relay.admissionKey, registry: relay.registry });
      try {
        const replies: Uint8Array[] = [];
        const ep: Endpoint = { kind: 'udp', address: '198.51.100.9', port: 1, send: (m) => replies.push(m), close: () => {} };
        for (const m of inits) clone.handle(m, ep);
        await waitFor(() => clone.metrics.drops['replayed-initiation'] === 2, 2000, 'refused after restart');
        assert.is(replies.length, 0);
        assert.is(clone.table.size, 0);
      } finally {
        clone.close();
      }
      assert.is(relay.registry.deviceByDid(did)!.lastCounter, 2n);
      await within(dev.client.send(new Uint8Array([2])), 2000, 'the device is unaffected');
    } finally {
      await closeAll(raw, dev, proxy, relay.server);
    }
  });
}

test('udp: transport replays, duplicates and the window edges (exactly W back accepted, W + 1 back refused)', async () => {
  const relay = await startRelay({ label: 'replay-window' });
  let peer: RawPeer | undefined;
  try {
    const { identity, creds } = await enrolledIdentity(relay, 'replay-window');
    peer = await rawUdpPeer(relay.server.host, relay.server.udpPort);
    const s = await scriptedSession(peer, identity, creds, 1n);
    const m0 = metricsSnapshot(relay.server.metrics);
    const from = peer.replies.length;
    const rec = (c: number): Uint8Array => s.record(c, [data(Uint8Array.of(c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff))]);
    const top = W + 100;
    const plan: [counter: number, accepted: boolean][] = [
      [0, true], [0, false], // a replay of the first record
      [5, true], [5, false], [5, false], // duplicates
      [top, true], // far ahead: the window now covers (top - W, top]
      [top - W + 1, true], // exactly W back (the oldest counter inside): accepted once
      [top - W + 1, false],
      [top - W, false], // W + 1 back: one beyond the window
      [6, false], // long gone
      [top - 1, true], [top - 2, true], [top - 1, false], // out of order inside the window, then a duplicate
      [top, false], // the highest, again
      [top + 1, true],
    ];
    for (const [c] of plan) peer.send(rec(c));
    const accepted = plan.filter(([, ok]) => ok).map(([c]) => c);
    const refused = plan.length - accepted.length;
    await waitFor(() => relay.delivered.length === accepted.length && relay.server.metrics.drops.replay - m0.drops.replay === refused, 2000, 'all handled');
    await settle(30);
    assert.equal(relay.delivered.map((d) => d.bytes[0] | (d.bytes[1] << 8) | (d.bytes[2] << 16)), accepted, 'each accepted record delivered once, in arrival order');
    assert.equal(dropDelta(m0, relay.server.metrics), { replay: refused });
    assert.equal(fromRelay(peer, s, from).acks, [...accepted].sort((a, b) => a - b), 'an ACK for each accepted record, none for a replay');
    // The relay's window after all that.
    const sess = [...relay.server.channel.table.sessions()][0];
    assert.is(sess.window!.highestAccepted, top + 1);
  } finally {
    await closeAll(peer, relay.server);
  }
});

test('udp: REJECT_AFTER_MESSAGES and 64-bit counters: 2^21 - 1 accepted (with one REKEY), 2^21 and anything above 2^53 refused', async () => {
  const relay = await startRelay({ label: 'replay-limit' });
  let peer: RawPeer | undefined;
  try {
    const { identity, creds } = await enrolledIdentity(relay, 'replay-limit');
    peer = await rawUdpPeer(relay.server.host, relay.server.udpPort);
    const s = await scriptedSession(peer, identity, creds, 1n);
    const from = peer.replies.length;
    const m0 = metricsSnapshot(relay.server.metrics);
    const last = C.REJECT_AFTER_MESSAGES - 1;
    peer.send(s.record(0, [data(Uint8Array.of(0))]));
    peer.send(s.record(last, [data(Uint8Array.of(1))]));
    peer.send(s.record(last - 1, [data(Uint8Array.of(2))]));
    // Beyond the limit: counters the relay must refuse before any AEAD work.
    const beyond = [C.REJECT_AFTER_MESSAGES, C.REJECT_AFTER_MESSAGES + 1, 2 ** 32];
    for (const c of beyond) peer.send(s.record(c, [data(Uint8Array.of(9))]));
    // 2^53 and up is past any JS-safe number (the codec reports it as -1): a wrapped or huge 64-bit
    // counter must be refused on its value, before the AEAD is even tried.
    const big = [2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
    for (const c of big) {
      const x = s.record(0, [data(Uint8Array.of(9))]);
      writeU64(x, 8, c);
      peer.send(x);
    }
    await waitFor(() => relay.delivered.length === 3 && relay.server.metrics.drops['counter-limit'] - m0.drops['counter-limit'] === beyond.length + big.length, 2000, 'handled');
    await settle(30);
    assert.equal(dropDelta(m0, relay.server.metrics), { 'counter-limit': beyond.length + big.length });
    const got = fromRelay(peer, s, from);
    assert.equal(got.acks, [0, last - 1, last]);
    assert.is(got.rekeys, 1, 'one REKEY: the device is past REKEY_AFTER_MESSAGES');
    assert.is(relay.server.metrics.rekeysRequested, 1);
  } finally {
    await closeAll(peer, relay.server);
  }
});

test('relay send side: at REJECT_AFTER_MESSAGES the relay stops sending on the session (limits lowered to 64)', async () => {
  const relay = await startRelay({ label: 'replay-send-limit', limits: { rejectAfterMessages: 64, rekeyAfterMessages: 32 } });
  let peer: RawPeer | undefined;
  try {
    const { identity, creds } = await enrolledIdentity(relay, 'replay-send-limit');
    peer = await rawUdpPeer(relay.server.host, relay.server.udpPort);
    const s = await scriptedSession(peer, identity, creds, 1n);
    peer.send(s.record(0, [])); // key confirmation: the session becomes current
    await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'confirmed');
    const from = peer.replies.length;
    let accepted = 0;
    while (relay.server.sendData(identity.did, Uint8Array.of(accepted & 0xff))) accepted++;
    await waitFor(() => fromRelay(peer!, s, from).records === 64, 2000, '64 records');
    const got = fromRelay(peer, s, from);
    assert.is(got.records, 64, 'counters 0..63 and not one more');
    assert.is(got.rekeys, 1, 'REKEY once the send counter passed REKEY_AFTER_MESSAGES');
    assert.is(accepted + got.rekeys, 64, 'sendData refused exactly when the counter ran out');
    const counters = peer.replies.slice(from).map((m) => Number(new DataView(m.buffer, m.byteOffset).getBigUint64(8, true)));
    assert.equal(counters, Array.from({ length: 64 }, (_, i) => i));
    // Receive side with the lowered limit: 63 accepted, 64 refused.
    const m0 = metricsSnapshot(relay.server.metrics);
    peer.send(s.record(63, [data(Uint8Array.of(63))]));
    peer.send(s.record(64, [data(Uint8Array.of(64))]));
    await waitFor(() => relay.delivered.length === 1 && relay.server.metrics.drops['counter-limit'] === m0.drops['counter-limit'] + 1, 2000, 'limit on receive');
    assert.is(relay.delivered[0].bytes[0], 63);
  } finally {
    await closeAll(peer, relay.server);
  }
});

test('tcp: a replayed or skipped record closes the connection and ends its session; nothing is delivered twice', async () => {
  const relay = await startRelay({ label: 'replay-tcp' });
  const peers: RawPeer[] = [];
  try {
    const { identity, creds } = await enrolledIdentity(relay, 'replay-tcp');
    for (const [i, second] of [[0, 0], [1, 2]] as const) { // a replay of counter 0; a jump from 0 to 2
      const peer = await rawTcpPeer(relay.server.host, relay.server.tcpPort);
      peers.push(peer);
      const s = await scriptedSession(peer, identity, creds, BigInt(i + 1));
      const delivered = relay.delivered.length;
      const m0 = metricsSnapshot(relay.server.metrics);
      peer.send(s.record(0, [data(Uint8Array.of(10 + i))]));
      peer.send(s.record(second, [data(Uint8Array.of(20 + i))]));
      peer.send(s.record(1, [data(Uint8Array.of(30 + i))])); // never read: the connection is gone
      await waitFor(() => peer.closed, 2000, 'connection closed');
      await settle(20);
      assert.is(relay.delivered.length, delivered + 1, 'only the first record');
      assert.is(relay.delivered.at(-1)!.bytes[0], 10 + i);
      assert.equal(dropDelta(m0, relay.server.metrics), { 'tcp-out-of-order': 1 });
      assert.is([...relay.server.channel.table.sessions()].length, 0, 'the session ended with its connection');
    }
  } finally {
    await closeAll(...peers, relay.server);
  }
});

test('device: a replayed relay record is dropped, delivered once, ACKed once; old ones fall out of its 128-record window', async () => {
  const relay = await startRelay({ label: 'replay-device' });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'replay-device' });
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll');
    await within(dev.client.connect(), 3000, 'connect');
    await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'confirmed');
    const N = C.REPLAY_WINDOW_DEVICE + 2;
    for (let i = 0; i < N; i++) assert.ok(relay.server.sendData(dev.identity.did, Uint8Array.of(i)));
    await waitFor(() => dev!.received.length === N, 2000, 'all delivered');
    await waitFor(() => relay.server.metrics.recordsIn === 1 + N, 2000, 'all ACKed'); // keepalive + one ACK record each
    const records = proxy.messages.filter((m) => m.dir === 'down' && m.bytes[0] === C.TRANSPORT).map((m) => m.bytes);
    const d0 = dev.client.stats.dropped;
    const up0 = proxy.messages.filter((m) => m.dir === 'up').length;
    // records[0] is the ENROLLED record of the enrollment session; records[1..] are DATA 0..N-1.
    const replays = [records[1], records[2], records[N], records[N], records[N - 5]];
    for (const x of replays) proxy.inject('down', x);
    await waitFor(() => dev!.client.stats.dropped - d0 === replays.length, 2000, 'replays dropped');
    await settle(30);
    assert.is(dev.received.length, N, 'nothing delivered twice');
    assert.is(proxy.messages.filter((m) => m.dir === 'up').length, up0, 'no ACK for a replay');
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test('WASM device: a replayed relay record is dropped and answered with nothing; old ones fall out of its window', async () => {
  if (!(await wasmDeviceAvailable())) return;
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'replay-wasm', clock });
  let proxy: Proxy | undefined;
  let dev: WasmDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openWasmDevice(clock, 'replay');
    const d = dev;
    dev.enroll(relay.identity.ed25519PublicKey, 'udp', proxy.port, relay.claim());
    await dev.run(() => d.status().state === STATE.ESTABLISHED && relay.server.metrics.handshakes.sessionsConfirmed === 1, 'session');
    const did = dev.identity().did;
    const N = C.REPLAY_WINDOW_DEVICE + 2;
    const from = proxy.messages.length;
    for (let i = 0; i < N; i++) {
      assert.ok(relay.server.sendData(did, Uint8Array.of(i)));
      if (i % 16 === 15) await dev.run(() => d.status().dataReceived === i + 1, 'controls received', { stepMs: 1 });
    }
    await dev.run(() => d.status().dataReceived === N, 'all received', { stepMs: 1 });
    await dev.run(() => relay.server.metrics.recordsIn >= 1 + N, 'all ACKed', { stepMs: 1 });
    const records = proxy.messages.slice(from).filter((m) => m.dir === 'down' && m.bytes[0] === C.TRANSPORT).map((m) => m.bytes);
    assert.is(records.length, N);
    const before = d.status();
    const up0 = proxy.messages.filter((m) => m.dir === 'up').length;
    const replays = [records[0], records[1], records[N - 1], records[N - 1], records[N - 6]];
    for (const x of replays) proxy.inject('down', x);
    await waitFor(() => d.status().dropped - before.dropped === replays.length, 2000, 'replays dropped');
    await settle(30);
    assert.is(d.status().dataReceived, N, 'nothing received twice');
    assert.is(d.status().recordsReceived, before.recordsReceived);
    assert.is(proxy.messages.filter((m) => m.dir === 'up').length, up0, 'no ACK for a replay');
  } finally {
    dev?.close();
    await closeAll(proxy, relay.server);
  }
});

// A byte-identical ENROLL_INIT replayed while the device's enrollment is in flight (an observer
// copies it; its mac1 is still valid). Before the fix the relay took it for the device restarting,
// answered it (three X25519 operations) and dropped the live enrollment, so the device's
// ENROLL_FINISH landed on an index that was gone (delay measured: 41 s simulated). Now the relay
// remembers the ephemerals it answered per claim (§3) and drops the copy: no reply, no DH, no delay.
test('udp: an ENROLL_INIT replayed mid-enrollment is dropped (no reply, no DH) and the live enrollment completes at once', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'replay-enroll-init', clock });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  let raw: RawPeer | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'replay-enroll-init', clock });
    raw = await rawUdpPeer(relay.server.host, relay.server.udpPort);
    let finish: Uint8Array | null = null;
    proxy.intercept = (m, dir) => {
      if (dir === 'up' && m[0] === C.ENROLL_FINISH && finish === null) { finish = m.slice(); return 'drop'; }
      return 'forward';
    };
    const bundle = relay.claim();
    let done = false;
    const enrolled = dev.client.enroll(bundle);
    enrolled.then(() => { done = true; }, () => {});
    await waitFor(() => finish !== null, 2000, 'ENROLL_FINISH held');
    const init = proxy.messages.find((m) => m.bytes[0] === C.ENROLL_INIT)!.bytes;
    const m1 = metricsSnapshot(relay.server.metrics);
    raw.send(init); // the replay, from the attacker's own address
    await waitFor(() => relay.server.metrics.drops['replayed-enroll-init'] === m1.drops['replayed-enroll-init'] + 1, 2000, 'replay dropped');
    proxy.inject('up', init); // and from the device's own source address
    await waitFor(() => relay.server.metrics.drops['replayed-enroll-init'] === m1.drops['replayed-enroll-init'] + 2, 2000, 'replay dropped');
    await settle(30);
    assert.is(raw.replies.length, 0, 'no answer to the replay');
    assert.is(relay.server.metrics.dhOperations, m1.dhOperations, 'no DH for the replay');
    assert.is(relay.server.metrics.handshakes.enrollInits, m1.handshakes.enrollInits);
    proxy.intercept = () => 'forward';
    proxy.inject('up', finish!);
    await waitFor(() => done, 2000, 'the live enrollment completes without any retry');
    assert.is(relay.server.metrics.handshakes.enrolled, 1);
    assert.ok(relay.registry.deviceByDid(dev.identity.did) !== undefined, 'the right device registered');
    assert.ok(relay.registry.claimById(bundle.claimId)!.used);
    // Once the claim is used, the same replay is refused before any DH.
    const m0 = metricsSnapshot(relay.server.metrics);
    const before = raw.replies.length;
    raw.send(init);
    await waitFor(() => relay.server.metrics.drops['claim-used'] === m0.drops['claim-used'] + 1, 2000, 'claim-used');
    assert.is(relay.server.metrics.dhOperations, m0.dhOperations);
    assert.is(raw.replies.length, before);
  } finally {
    await closeAll(raw, dev, proxy, relay.server);
  }
});

test('note: device implementations covered', async () => {
  await noteWasmDevice('replay');
});

test.run();
