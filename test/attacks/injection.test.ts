// Attack: injection. An attacker who can send to the relay (and, on-path, to a
// device) injects frames from unknown keys, records with forged receiver
// indices, truncated and oversized frames, wrong types, non-zero reserved bytes
// and padding, and garbage TCP lengths. Every one must be dropped and counted
// under its reason (protocol §8), get no reply, and change no state; live
// devices must not notice.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { generateKeyPair } from '../../cloud/noise/crypto.ts';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { concatBytes } from '../../cloud/protocol/bytes.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { mac1Key, writeMacs } from '../../cloud/protocol/macs.ts';
import {
  encodeCookieReply, encodeEnrollFinish, encodeEnrollInit, encodeEnrollResp, encodeSessionInit, encodeSessionResp, encodeTransport,
  ENROLL_INIT_MAC1,
} from '../../cloud/protocol/messages.ts';
import type { DropReason } from '../../cloud/relay/index.ts';
import { closeAll, settle, startRelay, waitFor, within } from '../channel/harness.ts';
import { rng } from '../support/rng.ts';
import { noteWasmDevice, openDeviceAt, wasmDeviceAvailable, type AttackDevice } from './support/devices.ts';
import { openWasmDevice, STATE, type WasmDevice } from './support/wasm-device.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { startProxy, type Proxy } from './support/proxy.ts';
import { rawTcpPeer, rawUdpPeer, sessionInit, type RawPeer } from './support/scripted.ts';
import { dropDelta, dropTotal, metricsSnapshot, relayState } from './support/state.ts';

const r = rng('injection');

interface Shot { bytes: Uint8Array; reason: DropReason; via: 'udp' | 'tcp' }

/** `b` with byte `i` set to `v`. */
function poke(b: Uint8Array, i: number, v: number): Uint8Array {
  const x = b.slice();
  x[i] = v;
  return x;
}

test('relay: injected frames of every kind are dropped per reason, unanswered, with no state change; live devices carry on', async () => {
  const relay = await startRelay({ label: 'injection' });
  let udpDev: AttackDevice | undefined;
  let tcpDev: AttackDevice | undefined;
  let revokedDev: AttackDevice | undefined;
  let udpProxy: Proxy | undefined;
  const peers: RawPeer[] = [];
  try {
    // Two live devices (UDP behind a proxy, TCP direct), a revoked one, a claim in progress.
    udpProxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    udpDev = await openDeviceAt('udp', udpProxy.host, udpProxy.port, { label: 'inj-udp' });
    tcpDev = await openDeviceAt('tcp', relay.server.host, relay.server.tcpPort, { label: 'inj-tcp' });
    revokedDev = await openDeviceAt('udp', relay.server.host, relay.server.udpPort, { label: 'inj-revoked' });
    const [credsU] = await within(Promise.all([udpDev.client.enroll(relay.claim()), tcpDev.client.enroll(relay.claim()), revokedDev.client.enroll(relay.claim())]), 3000, 'enroll');
    await within(Promise.all([udpDev.client.connect(), tcpDev.client.connect()]), 3000, 'connect');
    await within(Promise.all([udpDev.client.send(new Uint8Array([1])), tcpDev.client.send(new Uint8Array([2]))]), 2000, 'first DATA');
    const revokedCreds = revokedDev.client.credentials!;
    await revokedDev.close();
    await relay.server.revoke(revokedDev.identity.did);
    const liveClaim = relay.claim();
    const udpIndex = relay.server.channel.table.current(udpDev.identity.did)!.index;
    const tcpIndex = relay.server.channel.table.current(tcpDev.identity.did)!.index;

    // ---- the shots ----
    const shots: Shot[] = [];
    const add = (bytes: Uint8Array, reason: DropReason, via: 'udp' | 'tcp' = 'udp'): void => { shots.push({ bytes, reason, via }); };
    const S = relay.server.relayStatic;

    // Unknown keys: strangers without the admission key; strangers with it (leaked); a revoked device; unknown claims.
    for (let i = 0; i < 4; i++) {
      const stranger = identityFromSeed(r.bytes(32));
      add(sessionInit(stranger, { ...credsU, admissionKey: r.bytes(32) }, 1n, r.u32()).message, 'mac1');
      add(sessionInit(stranger, credsU, 1n, r.u32()).message, 'unknown-device');
    }
    add(sessionInit(revokedDev.identity, revokedCreds, 100n, r.u32()).message, 'revoked');
    add(sessionInit(revokedDev.identity, revokedCreds, 101n, r.u32()).message, 'revoked', 'tcp');
    const ehs = new HandshakeState({ pattern: 'XXpsk3', initiator: true, prologue: concatBytes(C.PROLOGUE_ENROLL_PREFIX, liveClaim.claimId), s: generateKeyPair(), psk: claimPsk(liveClaim.claimToken) });
    const goodEnrollInit = encodeEnrollInit(r.u32(), liveClaim.claimId, ehs.writeMessage());
    writeMacs(goodEnrollInit, ENROLL_INIT_MAC1, mac1Key(S, claimPsk(liveClaim.claimToken)), null);
    const unknownClaim = encodeEnrollInit(r.u32(), r.bytes(8), r.bytes(48));
    writeMacs(unknownClaim, ENROLL_INIT_MAC1, mac1Key(S, r.bytes(32)), null);
    add(unknownClaim, 'unknown-claim');
    const wrongToken = encodeEnrollInit(r.u32(), liveClaim.claimId, r.bytes(48));
    writeMacs(wrongToken, ENROLL_INIT_MAC1, mac1Key(S, claimPsk(r.bytes(16))), null);
    add(wrongToken, 'mac1');
    add(wrongToken, 'mac1', 'tcp');

    // Forged receiver indices.
    for (let i = 0; i < 8; i++) add(encodeTransport(r.u32(), i, r.bytes(16 + i * 10)), 'unknown-index');
    add(encodeTransport(udpIndex, 5, r.bytes(40)), 'aead'); // a live session, garbage under it
    add(encodeTransport(udpIndex, 2 ** 40, r.bytes(40)), 'counter-limit');
    add(encodeTransport(udpIndex, C.MAX_MESSAGE_BYTES, r.bytes(C.MAX_MESSAGE_BYTES - C.TRANSPORT_HEADER_BYTES)), 'aead'); // biggest legal record
    add(encodeTransport(tcpIndex, 1, r.bytes(40)), 'wrong-transport'); // a TCP session's index over UDP
    add(encodeTransport(udpIndex, 1, r.bytes(40)), 'wrong-transport', 'tcp'); // a UDP session's index over TCP
    add(encodeTransport(tcpIndex, 1, r.bytes(40)), 'wrong-transport', 'tcp'); // the TCP session, from another connection
    add(encodeEnrollFinish(udpIndex, r.bytes(96)), 'unknown-index'); // a session index is no enrollment
    add(encodeEnrollFinish(r.u32(), r.bytes(96)), 'unknown-index', 'tcp');

    // Truncated: every prefix of every device->relay message.
    const samples = [
      sessionInit(identityFromSeed(r.bytes(32)), credsU, 1n, 1).message, goodEnrollInit,
      encodeEnrollFinish(r.u32(), r.bytes(96)), encodeTransport(udpIndex, 9, r.bytes(16)),
    ];
    for (const s of samples) {
      for (let n = 0; n < s.length; n++) add(s.subarray(0, n).slice(), n < C.HEADER_BYTES ? 'malformed-short' : 'wrong-size');
    }
    for (const n of [4, 50, 143]) add(samples[0].subarray(0, n).slice(), 'wrong-size', 'tcp'); // TCP cannot carry fewer than 4 bytes
    // Oversized.
    for (const s of samples.slice(0, 3)) {
      add(concatBytes(s, new Uint8Array(1)), 'wrong-size');
      add(concatBytes(s, r.bytes(100)), 'wrong-size', 'tcp');
    }
    add(concatBytes(encodeTransport(udpIndex, 3, r.bytes(C.MAX_MESSAGE_BYTES - C.TRANSPORT_HEADER_BYTES)), new Uint8Array(1)), 'malformed-long');
    add(r.bytes(9000), 'malformed-long');
    // Wrong types: unknown ones, and the relay's own message types sent to it.
    for (const t of [0, 8, 9, 0x41, 0x80, 0xff]) add(poke(samples[0], 0, t), 'unknown-type');
    add(encodeSessionResp(r.u32(), r.u32(), r.bytes(48)), 'unexpected-type');
    add(encodeCookieReply(r.u32(), r.bytes(12), r.bytes(32)), 'unexpected-type');
    add(encodeEnrollResp(r.u32(), r.u32(), r.bytes(96)), 'unexpected-type');
    add(encodeEnrollResp(r.u32(), r.u32(), r.bytes(96)), 'unexpected-type', 'tcp');
    // Non-zero reserved bytes, every type, every reserved byte; non-zero ENROLL_INIT padding.
    const allTypes = [samples[0], encodeSessionResp(1, 2, r.bytes(48)), encodeCookieReply(1, r.bytes(12), r.bytes(32)), samples[3], goodEnrollInit, encodeEnrollResp(1, 2, r.bytes(96)), samples[2]];
    for (const s of allTypes) for (const i of [1, 2, 3]) add(poke(s, i, i === 2 ? 0x80 : 0x01), 'reserved-nonzero');
    add(poke(samples[0], 3, 0xff), 'reserved-nonzero', 'tcp');
    for (const i of [64, 72, 79]) add(poke(goodEnrollInit, i, 1), 'padding-nonzero');

    // ---- fire ----
    const expected: Partial<Record<DropReason, number>> = {};
    for (const s of shots) expected[s.reason] = (expected[s.reason] ?? 0) + 1;
    const unknownDevices = shots.filter((s) => s.reason === 'unknown-device' || s.reason === 'revoked').length;
    const m0 = metricsSnapshot(relay.server.metrics);
    const s0 = relayState(relay.server.channel, relay.registry);
    const udp = await rawUdpPeer(relay.server.host, relay.server.udpPort);
    const tcp = await rawTcpPeer(relay.server.host, relay.server.tcpPort);
    peers.push(udp, tcp);
    for (let i = 0; i < shots.length; i++) {
      const s = shots[i];
      if (s.via === 'udp') udp.sendRaw(s.bytes); else tcp.send(s.bytes);
      if (i % 32 === 31) await waitFor(() => dropTotal(m0, relay.server.metrics) >= i + 1 - 8, 3000, `relay keeps up (${i})`);
    }
    await waitFor(() => dropTotal(m0, relay.server.metrics) >= shots.length, 4000, `${shots.length} shots dropped`);
    await settle(50);
    const m1 = relay.server.metrics;
    assert.equal(dropDelta(m0, m1), expected, 'every shot counted under its reason');
    assert.is(udp.replies.length + tcp.replies.length, 0, 'no reply to anything');
    assert.not.ok(tcp.closed, 'well-framed garbage does not close a TCP connection');
    assert.is(m1.dhOperations - m0.dhOperations, unknownDevices, 'DH only for initiations carrying the admission key (one "es" each)');
    assert.equal(m1.handshakes, { ...m0.handshakes, sessionInits: m0.handshakes.sessionInits + unknownDevices });
    assert.is(m1.recordsIn, m0.recordsIn);
    assert.is(m1.recordsOut, m0.recordsOut);
    assert.is(relayState(relay.server.channel, relay.registry), s0, 'registry, counters, sessions, windows, enrollments unchanged');

    // ---- garbage TCP lengths: each closes its own connection, nobody else's ----
    const lengths: Uint8Array[] = [
      new Uint8Array([0, 0]), new Uint8Array([0, 3, 1, 0, 0]), new Uint8Array([0x05, 0xc1]), new Uint8Array([0xff, 0xff]), new Uint8Array([0x80, 0x00]),
    ];
    const m2 = metricsSnapshot(relay.server.metrics);
    for (const [i, bytes] of lengths.entries()) {
      const p = await rawTcpPeer(relay.server.host, relay.server.tcpPort);
      peers.push(p);
      if (i === lengths.length - 1) { // a well-framed message first, then the bad length
        p.send(poke(samples[0], 0, 9));
        await waitFor(() => relay.server.metrics.drops['unknown-type'] === m2.drops['unknown-type'] + 1, 2000, 'good frame handled');
      }
      p.sendRaw(bytes);
      await waitFor(() => p.closed, 2000, `connection with length ${bytes[0] * 256 + bytes[1]} closed`);
      assert.is(p.replies.length, 0);
    }
    assert.equal(dropDelta(m2, relay.server.metrics), { 'tcp-bad-length': lengths.length, 'unknown-type': 1 });
    assert.is(relayState(relay.server.channel, relay.registry), s0);

    // The live devices did not notice.
    await within(Promise.all([udpDev.client.send(new Uint8Array([3])), tcpDev.client.send(new Uint8Array([4]))]), 2000, 'DATA after the storm');
    assert.is(relay.delivered.length, 4);
    assert.is(udpDev.client.stats.dropped + tcpDev.client.stats.dropped, 0);
  } finally {
    await closeAll(...peers, udpDev, tcpDev, revokedDev, udpProxy, relay.server);
  }
});

/** Frames an attacker can send to a device: forged indices, the wrong types, bad headers, bad sizes. */
function deviceShots(mine: number): Uint8Array[] {
  return [
    encodeTransport(mine, 0, r.bytes(40)), encodeTransport(mine, 77, r.bytes(200)), encodeTransport(r.u32(), 0, r.bytes(40)),
    encodeTransport(mine, 2 ** 40, r.bytes(40)),
    encodeSessionResp(r.u32(), mine, r.bytes(48)), encodeSessionResp(r.u32(), r.u32(), r.bytes(48)),
    encodeCookieReply(mine, r.bytes(12), r.bytes(32)), encodeEnrollResp(r.u32(), mine, r.bytes(96)),
    encodeSessionInit(1, r.bytes(104)), encodeEnrollFinish(mine, r.bytes(96)), // relay-bound types
    poke(encodeTransport(mine, 1, r.bytes(40)), 1, 1), poke(encodeTransport(mine, 1, r.bytes(40)), 0, 0x44),
    new Uint8Array(0), new Uint8Array(3), encodeTransport(mine, 1, r.bytes(16)).subarray(0, 31),
    concatBytes(encodeSessionResp(1, mine, r.bytes(48)), new Uint8Array(1)),
  ];
}

test('TS device: injected frames (forged index, wrong types, reserved bytes, truncated, oversized) are dropped unanswered', async () => {
  const relay = await startRelay({ label: 'injection-device' });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'inj-device' });
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll');
    await within(dev.client.connect(), 3000, 'connect');
    await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'keepalive arrived');
    const shots = deviceShots(dev.client.sessionIndex!);
    const d0 = dev.client.stats.dropped;
    const up0 = proxy.messages.filter((m) => m.dir === 'up').length;
    for (const s of shots) proxy.inject('down', s);
    await waitFor(() => dev!.client.stats.dropped - d0 === shots.length, 2000, 'all dropped');
    await settle(50);
    assert.is(proxy.messages.filter((m) => m.dir === 'up').length, up0, 'the device answered nothing');
    assert.is(dev.received.length, 0);
    assert.is(dev.client.stats.recordsReceived, 0);
    await within(dev.client.send(new Uint8Array([5])), 2000, 'session intact');
    assert.ok(relay.server.sendData(dev.identity.did, new Uint8Array([6])));
    await waitFor(() => dev!.received.length === 1, 2000, 'and the relay can still reach it');
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test('WASM device: the same injected frames are dropped unanswered; its session carries on', async () => {
  if (!(await wasmDeviceAvailable())) return;
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'injection-wasm', clock });
  let proxy: Proxy | undefined;
  let dev: WasmDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openWasmDevice(clock, 'injection');
    const d = dev;
    dev.enroll(relay.identity.ed25519PublicKey, 'udp', proxy.port, relay.claim());
    await dev.run(() => d.status().state === STATE.ESTABLISHED && relay.server.metrics.handshakes.sessionsConfirmed === 1, 'session');
    // The core's own index is not in its status record: take it from the SESSION_INIT it sent.
    const init = proxy.messages.filter((m) => m.dir === 'up' && m.bytes[0] === C.SESSION_INIT).at(-1)!.bytes;
    const mine = init[4] | (init[5] << 8) | (init[6] << 16) | (init[7] << 24);
    const shots = deviceShots(mine >>> 0);
    const before = d.status();
    const up0 = proxy.messages.filter((m) => m.dir === 'up').length;
    for (const s of shots) proxy.inject('down', s);
    await waitFor(() => d.status().dropped - before.dropped === shots.length, 2000, 'all dropped');
    await settle(50);
    const after = d.status();
    assert.is(proxy.messages.filter((m) => m.dir === 'up').length, up0, 'the core answered nothing');
    assert.equal({ ...after, dropped: 0, sessionAgeMs: 0n, rekeyInMs: 0 }, { ...before, dropped: 0, sessionAgeMs: 0n, rekeyInMs: 0 }, 'nothing else moved');
    dev.send(new Uint8Array([5]));
    await dev.run(() => d.status().queued === 0, 'session intact');
    assert.ok(relay.server.sendData(dev.identity().did, new Uint8Array([6])));
    await dev.run(() => d.status().dataReceived === 1, 'and the relay can still reach it', { stepMs: 10 });
  } finally {
    dev?.close();
    await closeAll(proxy, relay.server);
  }
});

test('note: device implementations covered', async () => {
  await noteWasmDevice('injection');
});

test.run();
