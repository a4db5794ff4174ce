// Attack: tampering. An on-path attacker holds each message of a real
// enrollment, session handshake and DATA exchange (both directions), and first
// delivers every single-bit variant of it, one at a time, from the genuine
// source. Each variant must be dropped — by the relay counted under the reason
// its flipped field implies (protocol §2-§8), by the device counted as dropped —
// with no reply and no state change; then the genuine message, delivered last,
// must still work (so nothing was spoiled). The relay-bound half runs against
// cloud/relay; the device-bound half against the TypeScript reference device
// and the WASM sensor core.
//
// Not flipped in the sweep, on purpose (it has its own test further down):
// - mac2 of ENROLL_INIT / SESSION_INIT: it only matters under load (§5); off
//   load a changed mac2 is the same message. Its bits are tested under load.
// Every header bit of ENROLL_RESP / SESSION_RESP is flipped, the relay's
// `sender` index included: both sides hash the header into the handshake
// before message 2 (§2), so its tag covers it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { generateKeyPair } from '../../cloud/noise/crypto.ts';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { readU64 } from '../../cloud/protocol/bytes.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { mac1Key, writeMacs } from '../../cloud/protocol/macs.ts';
import { u64Bytes } from '../../cloud/protocol/bytes.ts';
import { encodeSessionInit, SESSION_INIT_MAC1, SESSION_INIT_MAC2 } from '../../cloud/protocol/messages.ts';
import { Channel, MemoryRegistry, type DropReason, type Endpoint } from '../../cloud/relay/index.ts';
import { closeAll, settle, startRelay, waitFor, within, type Relay } from '../channel/harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { noteWasmDevice, openDeviceAt, wasmDeviceAvailable, type AttackDevice, type Transport } from './support/devices.ts';
import { openWasmDevice, STATE, type WasmDevice } from './support/wasm-device.ts';
import { startProxy, type Direction, type Proxy } from './support/proxy.ts';
import { dropDelta, dropTotal, metricsSnapshot, relayState } from './support/state.ts';
import { expectedDrops, flip, injectPaced, variants, type Layout, type Variant } from './support/tamper.ts';

/** Make the proxy hold back the next `type` message going `dir`; everything else passes. */
function holdNext(proxy: Proxy, type: number, dir: Direction): Promise<Uint8Array> {
  return new Promise((resolve) => {
    proxy.intercept = (m, d) => {
      if (d !== dir || m[0] !== type) return 'forward';
      proxy.intercept = () => 'forward';
      resolve(m.slice());
      return 'drop';
    };
  });
}

/** `p`, with its rejection marked handled (a failing test closes the device, which rejects everything pending). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

const count = (p: Proxy, dir: Direction): number => p.messages.filter((m) => m.dir === dir).length;

interface World { relay: Relay; proxy: Proxy; dev: AttackDevice }

/** Deliver every variant of a device->relay message; check reasons, silence, state; then deliver the genuine one. */
async function tamperUp(w: World, what: string, held: Uint8Array, vs: Variant[], layout: Layout, dh: number): Promise<void> {
  const { relay, proxy } = w;
  const m0 = metricsSnapshot(relay.server.metrics);
  const s0 = relayState(relay.server.channel, relay.registry);
  const down0 = count(proxy, 'down');
  await injectPaced(proxy, 'up', vs, () => dropTotal(m0, relay.server.metrics));
  await settle(20);
  const m1 = relay.server.metrics;
  assert.equal(dropDelta(m0, m1), expectedDrops(vs, layout), `${what}: drop reasons`);
  assert.is(count(proxy, 'down'), down0, `${what}: no reply to any variant`);
  assert.is(relayState(relay.server.channel, relay.registry), s0, `${what}: registry, counters, sessions, enrollments unchanged`);
  assert.is(m1.dhOperations - m0.dhOperations, dh, `${what}: DH count`);
  assert.equal({ ...m1.handshakes }, { ...m0.handshakes }, `${what}: no handshake progressed`);
  assert.is(m1.recordsIn, m0.recordsIn);
  assert.is(m1.recordsOut, m0.recordsOut);
  assert.is(m1.dataDelivered, m0.dataDelivered);
  proxy.inject('up', held);
}

/** Deliver every variant of a relay->device message; the device must drop each and send nothing; then the genuine one. */
async function tamperDown(w: World, what: string, held: Uint8Array, vs: Variant[]): Promise<void> {
  const { proxy, dev } = w;
  const d0 = dev.client.stats.dropped;
  const up0 = count(proxy, 'up');
  const rx0 = dev.received.length;
  const rec0 = dev.client.stats.recordsReceived;
  await injectPaced(proxy, 'down', vs, () => dev.client.stats.dropped - d0);
  await settle(20);
  assert.is(dev.client.stats.dropped - d0, vs.length, `${what}: each variant dropped once`);
  assert.is(count(proxy, 'up'), up0, `${what}: the device answered no variant`);
  assert.is(dev.received.length, rx0, `${what}: nothing delivered to the application`);
  assert.is(dev.client.stats.recordsReceived, rec0);
  proxy.inject('down', held);
}

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: every bit of every handshake message and of a record, both ways, is refused without reply or state change`, async () => {
    const clock = new ManualClock(); // no retransmission or sweep fires while the attacker works
    const relay = await startRelay({ label: `tamper-${transport}`, clock });
    let proxy: Proxy | undefined;
    let dev: AttackDevice | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `tamper-${transport}`, clock });
      const w: World = { relay, proxy, dev };

      // ---- enrollment ----
      let held = holdNext(proxy, C.ENROLL_INIT, 'up');
      const enrolled = quiet(dev.client.enroll(relay.claim()));
      const init = await within(held, 2000, 'ENROLL_INIT');
      assert.is(init.length, C.ENROLL_INIT_BYTES);
      const resp = holdNext(proxy, C.ENROLL_RESP, 'down');
      await tamperUp(w, 'ENROLL_INIT', init, variants(init, 0, 96), [
        [4, 8, 'mac1'], [8, 16, 'unknown-claim'], [16, 64, 'mac1'], [64, 80, 'padding-nonzero'], [80, 96, 'mac1'],
      ], 0);
      const er = await within(resp, 2000, 'ENROLL_RESP');
      const finish = holdNext(proxy, C.ENROLL_FINISH, 'up');
      await tamperDown(w, 'ENROLL_RESP', er, variants(er));
      const ef = await within(finish, 2000, 'ENROLL_FINISH');
      // A forged message 3 costs the relay one DH ("se") when only its payload is changed; enc_s fails before it.
      await tamperUp(w, 'ENROLL_FINISH', ef, variants(ef), [[4, 8, 'unknown-index'], [8, 104, 'handshake-auth']], (104 - 56) * 8);
      await within(enrolled, 2000, 'enrolled after all that');
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      assert.ok(relay.registry.deviceByDid(dev.identity.did) !== undefined);

      // ---- session ----
      held = holdNext(proxy, C.SESSION_INIT, 'up');
      const connected = quiet(dev.client.connect());
      const si = await within(held, 2000, 'SESSION_INIT');
      const sr = holdNext(proxy, C.SESSION_RESP, 'down');
      await tamperUp(w, 'SESSION_INIT', si, variants(si, 0, SESSION_INIT_MAC2), [[4, SESSION_INIT_MAC2, 'mac1']], 0);
      const resp2 = await within(sr, 2000, 'SESSION_RESP');
      assert.is(relay.registry.deviceByDid(dev.identity.did)!.lastCounter, 1n);
      await tamperDown(w, 'SESSION_RESP', resp2, variants(resp2));
      await within(connected, 2000, 'session after all that');
      await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'confirmed by the keepalive');

      // ---- a DATA record, device -> relay ----
      held = holdNext(proxy, C.TRANSPORT, 'up');
      const reading = new TextEncoder().encode('reading: 64 bytes of sensor data......................................').slice(0, 64);
      const acked = quiet(dev.client.send(reading));
      const rec = await within(held, 2000, 'DATA record');
      const n = readU64(rec, 8);
      assert.ok(n >= 1n, 'after the keepalive');
      const counterReason = (v: Variant): DropReason => {
        const c = readU64(v.bytes, 8);
        if (c >= 2n ** 53n || c >= BigInt(C.REJECT_AFTER_MESSAGES)) return 'counter-limit';
        if (transport === 'udp' && c < n) return 'replay'; // every counter below n was accepted
        return 'aead';
      };
      await tamperUp(w, 'TRANSPORT up', rec, variants(rec), [[4, 8, 'unknown-index'], [8, 16, counterReason], [16, rec.length, 'aead']], 0);
      await within(acked, 2000, 'genuine record delivered and ACKed');
      assert.is(relay.delivered.length, 1);
      assert.equal(relay.delivered[0].bytes, reading);

      // ---- a DATA record, relay -> device ----
      held = holdNext(proxy, C.TRANSPORT, 'down');
      const control = new TextEncoder().encode('control: open valve 3');
      assert.ok(relay.server.sendData(dev.identity.did, control));
      const down = await within(held, 2000, 'control record');
      await tamperDown(w, 'TRANSPORT down', down, variants(down));
      await waitFor(() => dev!.received.length === 1, 2000, 'genuine control delivered');
      assert.equal(dev.received[0], control);
    } finally {
      await closeAll(dev, proxy, relay.server);
    }
  });
}

test('mac2 bits under load (fed to the Channel): each flipped mac2 gets only a COOKIE_REPLY, no DH, no state change', async () => {
  const clock = new ManualClock();
  const relayId = identityFromSeed(rng('tamper-mac2').bytes(32));
  const admissionKey = rng('tamper-mac2-adm').bytes(32);
  const ch = new Channel({ staticSecret: relayId.x25519Secret, admissionKey, registry: new MemoryRegistry(), clock, limits: { loadThreshold: 0 } });
  try {
    const replies: Uint8Array[] = [];
    const ep: Endpoint = { kind: 'udp', address: '192.0.2.7', port: 4242, send: (m) => replies.push(m), close: () => {} };
    const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: generateKeyPair(), rs: ch.relayStatic });
    const msg = encodeSessionInit(9, hs.writeMessage(u64Bytes(1)));
    writeMacs(msg, SESSION_INIT_MAC1, mac1Key(ch.relayStatic, admissionKey), ch.cookies.cookieFor(ep.address, ep.port));
    const dh0 = ch.metrics.dhOperations;
    for (const v of variants(msg, SESSION_INIT_MAC2)) ch.handle(v.bytes, ep);
    assert.is(replies.length, 128);
    assert.ok(replies.every((r) => r[0] === C.COOKIE_REPLY && r.length === C.COOKIE_REPLY_BYTES && r.length <= msg.length));
    assert.is(ch.metrics.dhOperations, dh0, 'no DH');
    assert.is(ch.metrics.handshakes.sessionInits, 0);
    assert.is(ch.table.size, 0);
    ch.handle(msg, ep); // the genuine mac2 passes admission (and reaches the one "es" DH of an unknown device)
    assert.is(ch.metrics.handshakes.sessionInits, 1);
    await waitFor(() => ch.metrics.drops['unknown-device'] === 1, 1000, 'unknown device dropped after its "es"');
    assert.is(ch.metrics.dhOperations - dh0, 1);
    assert.is(replies.length, 128, 'and no reply to it either');
  } finally {
    ch.close();
  }
});

// The WASM sensor core faces the device-bound half of the same attack (the relay-bound half is the
// relay's code, tested above): every variant of ENROLL_RESP, SESSION_RESP and a DATA record from the
// relay is dropped by the core (its status record counts it), answered with nothing, and changes
// nothing else it reports; the genuine message, delivered last, still works.
for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`WASM device over ${transport}: every bit of ENROLL_RESP, SESSION_RESP and of a relay record is refused without reply or state change`, async () => {
    if (!(await wasmDeviceAvailable())) return;
    const clock = new ManualClock();
    const relay = await startRelay({ label: `tamper-wasm-${transport}`, clock });
    let proxy: Proxy | undefined;
    let dev: WasmDevice | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
      dev = await openWasmDevice(clock, `tamper-${transport}`);
      const d = dev;
      const p = proxy;
      /** Everything in the status record but the drop counter. */
      const rest = (): string => { const { dropped: _d, ...x } = d.status(); return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? String(v) : v)); };
      const phase = async (what: string, held: Uint8Array, vs: Variant[]): Promise<void> => {
        const d0 = d.status().dropped;
        const r0 = rest();
        const up0 = count(p, 'up');
        // Batches under one receive buffer (1474 B): hal/node/sim.ts splits a larger TCP chunk with the free
        // space it read once, before the first piece, and so overruns the core's RX buffer (reported).
        await injectPaced(p, 'down', vs, () => d.status().dropped - d0, transport === 'tcp' ? 8 : 32);
        await settle(20);
        assert.is(d.status().dropped - d0, vs.length, `${what}: each variant dropped once`);
        assert.is(count(p, 'up'), up0, `${what}: no answer to any variant`);
        assert.is(rest(), r0, `${what}: nothing else in the status record moved`);
        p.inject('down', held);
      };
      let captured: Uint8Array | null = null;
      const hold = (type: number): void => { captured = null; void holdNext(p, type, 'down').then((m) => { captured = m; }); };
      const held = async (what: string): Promise<Uint8Array> => {
        await d.run(() => captured !== null, what, { stepMs: 10, maxMs: 2000 });
        return captured!;
      };

      hold(C.ENROLL_RESP);
      dev.enroll(relay.identity.ed25519PublicKey, transport, proxy.port, relay.claim());
      const er = await held('ENROLL_RESP');
      hold(C.SESSION_RESP);
      await phase('ENROLL_RESP', er, variants(er));
      const sr = await held('SESSION_RESP'); // enrolled, and straight into the first session
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      await phase('SESSION_RESP', sr, variants(sr));
      await dev.run(() => d.status().state === STATE.ESTABLISHED && relay.server.metrics.handshakes.sessionsConfirmed === 1, 'session', { stepMs: 10 });

      hold(C.TRANSPORT);
      const id = dev.identity();
      assert.ok(relay.server.sendData(id.did, new TextEncoder().encode('control: open valve 3')));
      const rec = await held('control record');
      await phase('TRANSPORT down', rec, variants(rec));
      await dev.run(() => d.status().dataReceived === 1, 'the genuine record received', { stepMs: 10 });
      dev.send(new TextEncoder().encode('still works'));
      await dev.run(() => d.status().queued === 0, 'DATA after all that', { stepMs: 10 });
      assert.is(relay.delivered.length, 1);
    } finally {
      dev?.close();
      await closeAll(proxy, relay.server);
    }
  });
}

// The `sender` index of ENROLL_RESP and SESSION_RESP (the relay's index, which the device then
// addresses) is in the clear. Before it was bound into the handshake hash (§2), an on-path
// attacker who could inject but not drop raced the relay's reply with a copy whose sender index
// was changed: the device accepted it, talked to an index the relay did not have, and stalled
// until its next timed rekey (16-115 s measured). Now the forgery fails authentication like any
// other tampered response, leaves the handshake as it was, and the genuine reply right behind it
// completes the handshake: no retry, no record to an unknown index, nothing delayed. The clock
// is never advanced, so no retry or rekey could have rescued the device.

const SENDER_BIT = 4 * 8; // lowest bit of the sender index (bytes 4-7)

test('udp: a forged sender index in SESSION_RESP is refused, and the genuine reply behind it is accepted with no stall', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'tamper-gap-session', clock });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'tamper-gap-session', clock });
    await within(dev.client.enroll(relay.claim()), 2000, 'enroll');
    const held = holdNext(proxy, C.SESSION_RESP, 'down');
    const connected = quiet(dev.client.connect());
    const resp = await within(held, 2000, 'SESSION_RESP');
    const d0 = dev.client.stats.dropped;
    proxy.inject('down', flip(resp, SENDER_BIT));
    proxy.inject('down', resp); // the genuine reply, just behind
    await within(connected, 2000, 'the genuine reply completes the handshake');
    await within(quiet(dev.client.send(new TextEncoder().encode('on time'))), 2000, 'DATA delivered and ACKed at once');
    assert.is(dev.client.stats.dropped - d0, 1, 'the forgery was dropped, the genuine reply was not');
    assert.is(dev.client.stats.sessions, 1);
    assert.is(relay.delivered.length, 1);
    assert.is(relay.server.metrics.handshakes.sessionInits, 1, 'no second handshake was needed');
    assert.is(relay.server.metrics.handshakes.sessionsConfirmed, 1);
    assert.is(relay.server.metrics.drops['unknown-index'] ?? 0, 0, 'nothing went to a forged index');
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test('udp: a forged sender index in ENROLL_RESP is refused, and the genuine reply behind it enrolls with no stall', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'tamper-gap-enroll', clock });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'tamper-gap-enroll', clock });
    const held = holdNext(proxy, C.ENROLL_RESP, 'down');
    const bundle = relay.claim();
    const enrolled = quiet(dev.client.enroll(bundle));
    const resp = await within(held, 2000, 'ENROLL_RESP');
    const d0 = dev.client.stats.dropped;
    proxy.inject('down', flip(resp, SENDER_BIT));
    proxy.inject('down', resp);
    await within(enrolled, 2000, 'enrolled by the genuine reply');
    assert.is(dev.client.stats.dropped - d0, 1, 'the forgery was dropped, the genuine reply was not');
    assert.is(relay.server.metrics.handshakes.enrollInits, 1, 'no second ENROLL_INIT was needed');
    assert.is(relay.server.metrics.handshakes.enrolled, 1);
    assert.is(relay.server.metrics.drops['unknown-index'] ?? 0, 0, 'no ENROLL_FINISH went to a forged index');
    assert.is(proxy.messages.filter((m) => m.dir === 'up' && m.bytes[0] === C.ENROLL_FINISH).length, 1, 'one ENROLL_FINISH, to the right index');
    assert.is(relay.registry.deviceByDid(dev.identity.did)!.did, dev.identity.did);
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test('WASM device: a forged sender index in SESSION_RESP or ENROLL_RESP is refused; the genuine reply behind it is accepted with no stall', async () => {
  if (!(await wasmDeviceAvailable())) return;
  for (const type of [C.SESSION_RESP, C.ENROLL_RESP]) {
    const clock = new ManualClock();
    const relay = await startRelay({ label: `tamper-gap-wasm-${type}`, clock });
    let proxy: Proxy | undefined;
    let dev: WasmDevice | undefined;
    try {
      proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
      dev = await openWasmDevice(clock, `tamper-gap-${type}`);
      let forged = false;
      proxy.intercept = (m, dir) => {
        if (dir !== 'down' || m[0] !== type || forged) return 'forward';
        forged = true;
        return [flip(m, SENDER_BIT), m]; // the forgery first, the genuine reply right behind
      };
      const bundle = relay.claim();
      dev.enroll(relay.identity.ed25519PublicKey, 'udp', proxy.port, bundle);
      dev.send(new TextEncoder().encode('on time'));
      const d = dev;
      // Short steps, and less simulated time than one REKEY_TIMEOUT: done without any retry.
      await dev.run(() => d.status().queued === 0, 'DATA acknowledged', { stepMs: 10, maxMs: C.REKEY_TIMEOUT - C.REKEY_TIMEOUT_JITTER - 1000 });
      const what = type === C.SESSION_RESP ? 'SESSION_RESP' : 'ENROLL_RESP';
      assert.ok(forged);
      assert.is(d.status().dropped, 1, `${what}: the forgery, and nothing else, was dropped`);
      assert.is(relay.server.metrics.drops['unknown-index'] ?? 0, 0, `${what}: nothing went to a forged index`);
      assert.is(relay.server.metrics.handshakes.enrollInits, 1, `${what}: one ENROLL_INIT`);
      assert.is(relay.server.metrics.handshakes.sessionInits, 1, `${what}: one SESSION_INIT`);
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      assert.is(relay.registry.deviceByDid(dev.identity().did)!.did, dev.identity().did);
      assert.is(relay.delivered.length, 1);
    } finally {
      dev?.close();
      await closeAll(proxy, relay.server);
    }
  }
});

// Found with the test above: the relay replaces an unconfirmed `next` session that is its device's
// only session (the first SESSION_RESP was lost or dropped, and the device retried) by attaching the
// new session to a slot record it has just deleted (SessionTable.installNext -> drop() removes the
// device's slots when they become empty, then `slots.next = s` writes to the orphan). The new
// session works for receiving, but is never confirmed, never `current`, and invisible to
// endDevice(): the relay cannot send to the device, and revoking the device does not end it.
test('udp: after a dropped first SESSION_RESP the retried session is confirmed, can be sent on, and ends on revocation', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'tamper-dropped-resp', clock });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'tamper-dropped-resp', clock });
    await within(dev.client.enroll(relay.claim()), 2000, 'enroll');
    const held = holdNext(proxy, C.SESSION_RESP, 'down'); // the attacker swallows it
    const connected = quiet(dev.client.connect());
    await within(held, 2000, 'first SESSION_RESP swallowed');
    clock.advance(C.REKEY_TIMEOUT + C.REKEY_TIMEOUT_JITTER); // the device retries with a fresh handshake
    await within(connected, 2000, 'second handshake');
    await within(dev.client.send(new Uint8Array([1, 2, 3])), 2000, 'DATA delivered and ACKed');
    const did = dev.identity.did;
    const m = relay.server.metrics;
    assert.is(m.handshakes.sessionInits, 2);
    assert.is(m.handshakes.sessionsConfirmed, 1, 'the retried session is confirmed once');
    assert.is([...relay.server.channel.table.sessions()].length, 1, 'one live session (the first one was replaced and wiped)');
    assert.ok(relay.server.sendData(did, new TextEncoder().encode('control')), 'the relay can send to the device');
    await waitFor(() => dev!.received.length === 1, 2000, 'control received');

    await relay.server.revoke(did);
    const delivered = relay.delivered.length;
    const late = quiet(dev.client.send(new Uint8Array([4])));
    await settle(100);
    assert.is(relay.delivered.length, delivered, 'a revoked device gets nothing through');
    assert.is([...relay.server.channel.table.sessions()].length, 0, 'revocation ended the session');
    void late;
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test('note: device implementations covered', async () => {
  await noteWasmDevice('tampering');
});

test.run();
