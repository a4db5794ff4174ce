// Attack: denial of service (protocol §5, §8). Over real sockets from many
// loopback source addresses (127.0.0.x):
// - a flood of initiations without a valid mac1 costs zero DH and gets zero
//   replies, over UDP and TCP, even while the relay is under load;
// - under load, a valid mac1 without mac2 gets exactly one COOKIE_REPLY, no larger
//   than the request, and zero DH; a cookie is bound to its source; a real
//   device still gets in with its cookie;
// - each source has its own rate: one noisy source is sent cookies, its
//   neighbours are not; proven (mac2) messages over the proven rate are dropped
//   unanswered; time refills the bucket.
// The relay runs on a manual clock, so "per second" is exact and nothing here
// depends on how fast this machine is.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as C from '../../cloud/protocol/constants.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { mac1Key, writeMacs } from '../../cloud/protocol/macs.ts';
import { encodeEnrollInit, encodeSessionInit, ENROLL_INIT_MAC1, SESSION_INIT_MAC1 } from '../../cloud/protocol/messages.ts';
import { closeAll, settle, startRelay, waitFor, within, type Relay } from '../channel/harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { openDeviceAt, type AttackDevice } from './support/devices.ts';
import { startProxy, type Proxy } from './support/proxy.ts';
import { rawTcpPeer, rawUdpPeer, type RawPeer } from './support/scripted.ts';
import { dropTotal, metricsSnapshot } from './support/state.ts';

const r = rng('dos');

/** A SESSION_INIT with random Noise bytes and mac1 under `admissionKey` (valid mac1 when it is the real one). */
function init(relay: Relay, admissionKey: Uint8Array, cookie: Uint8Array | null = null): Uint8Array {
  const m = encodeSessionInit(r.u32(), r.bytes(104));
  writeMacs(m, SESSION_INIT_MAC1, mac1Key(relay.server.relayStatic, admissionKey), cookie);
  return m;
}

/** Every reply is a COOKIE_REPLY no larger than what it answers. */
function onlyCookies(peers: RawPeer[], requestBytes: number): void {
  for (const p of peers) for (const m of p.replies) {
    assert.is(m[0], C.COOKIE_REPLY);
    assert.is(m.length, C.COOKIE_REPLY_BYTES);
    assert.ok(m.length <= requestBytes, 'no amplification');
  }
}

const replies = (peers: RawPeer[]): number => peers.reduce((n, p) => n + p.replies.length, 0);

test('a flood without valid mac1 (UDP from 8 sources, and TCP), under load: zero DH, zero replies', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'dos-flood', clock, limits: { loadThreshold: 0 } }); // always "under load"
  const peers: RawPeer[] = [];
  try {
    for (let i = 0; i < 8; i++) peers.push(await rawUdpPeer(relay.server.host, relay.server.udpPort, `127.0.0.${10 + i}`));
    const tcp = await rawTcpPeer(relay.server.host, relay.server.tcpPort);
    peers.push(tcp);
    const claim = relay.claim();
    const m0 = metricsSnapshot(relay.server.metrics);
    const FLOOD = 2400;
    for (let i = 0; i < FLOOD; i++) {
      const p = peers[i % peers.length];
      let m: Uint8Array;
      switch (i % 4) {
        case 0: m = init(relay, r.bytes(32)); break; // mac1 under a guessed admission key
        case 1: m = encodeSessionInit(r.u32(), r.bytes(104)); m.set(r.bytes(32), SESSION_INIT_MAC1); break; // random macs
        case 2: { // the live claim id, a mac1 not keyed by its token
          m = encodeEnrollInit(r.u32(), claim.claimId, r.bytes(48));
          writeMacs(m, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, claimPsk(r.bytes(16))), null);
          break;
        }
        default: m = encodeEnrollInit(r.u32(), r.bytes(8), r.bytes(48)); // an unknown claim
      }
      p.send(m);
      if (i % 200 === 199) await waitFor(() => dropTotal(m0, relay.server.metrics) >= i + 1, 3000, `relay keeps up (${i})`);
    }
    await waitFor(() => dropTotal(m0, relay.server.metrics) === FLOOD, 3000, 'flood processed');
    await settle(30);
    const m = relay.server.metrics;
    assert.is(m.dhOperations, m0.dhOperations, 'zero DH');
    assert.is(m.drops.mac1 - m0.drops.mac1, FLOOD * 3 / 4);
    assert.is(m.drops['unknown-claim'] - m0.drops['unknown-claim'], FLOOD / 4);
    assert.is(m.handshakes.cookieReplies, 0, 'no cookie for an invalid mac1, even under load');
    assert.is(replies(peers), 0, 'zero replies');
    assert.not.ok(tcp.closed);
  } finally {
    await closeAll(...peers, relay.server);
  }
});

test('under load: a valid mac1 without mac2 gets one COOKIE_REPLY (<= request) and zero DH; cookies are bound to their source; a real device gets in', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'dos-load', clock });
  const peers: RawPeer[] = [];
  let dev: AttackDevice | undefined;
  try {
    // A real enrolled device first (before the load), for its admission key and for the end.
    dev = await openDeviceAt('udp', relay.server.host, relay.server.udpPort, { label: 'dos-load', clock });
    const creds = await within(dev.client.enroll(relay.claim()), 3000, 'enroll');
    const adm = creds.admissionKey;
    for (let i = 0; i < 16; i++) peers.push(await rawUdpPeer(relay.server.host, relay.server.udpPort, `127.0.1.${10 + i}`));

    // 1. Push the relay over LOAD_THRESHOLD mac1-valid messages in this second, 16 per source
    //    (under each source's own burst): each admitted one costs its single "es" DH.
    const m0 = metricsSnapshot(relay.server.metrics);
    const loadIn = C.LOAD_THRESHOLD - (relay.server.metrics.handshakes.enrollInits); // the enrollment counted too
    for (let i = 0; i < loadIn; i++) peers[i % 16].send(init(relay, adm));
    await waitFor(() => relay.server.metrics.drops['handshake-auth'] - m0.drops['handshake-auth'] === loadIn, 3000, 'admitted ones refused after es');
    assert.is(relay.server.metrics.dhOperations - m0.dhOperations, loadIn, 'one DH each while not under load');
    assert.is(replies(peers), 0);

    // 2. Now under load: the same kind of message gets a cookie and nothing else.
    const m1 = metricsSnapshot(relay.server.metrics);
    const MORE = 320;
    for (let i = 0; i < MORE; i++) peers[i % 16].send(init(relay, adm));
    await waitFor(() => replies(peers) === MORE, 3000, 'one cookie each');
    await settle(30);
    assert.is(relay.server.metrics.dhOperations, m1.dhOperations, 'zero DH under load');
    assert.is(relay.server.metrics.handshakes.cookieReplies - m1.handshakes.cookieReplies, MORE);
    assert.is(relay.server.metrics.handshakes.sessionInits, m1.handshakes.sessionInits);
    assert.is(dropTotal(m1, relay.server.metrics), 0, 'cookied, not dropped');
    onlyCookies(peers, C.SESSION_INIT_BYTES);

    // 3. A cookie is bound to its source: A's cookie used from B gets another cookie, no DH.
    const [a, b] = peers;
    const cookieA = relay.server.channel.cookies.cookieFor('127.0.1.10', a.localPort);
    const before = b.replies.length;
    b.send(init(relay, adm, cookieA));
    await waitFor(() => b.replies.length === before + 1, 2000, 'cookie for B');
    assert.is(relay.server.metrics.dhOperations, m1.dhOperations);
    // ...and from A itself it is proof enough: admitted (its "es" DH), no cookie.
    const aBefore = a.replies.length;
    a.send(init(relay, adm, cookieA));
    await waitFor(() => relay.server.metrics.dhOperations === m1.dhOperations + 1, 2000, 'A admitted with mac2');
    await settle(20);
    assert.is(a.replies.length, aBefore);

    // 4. The real device, still in this loaded second: cookie, then mac2, then a session.
    const cookies0 = dev.client.stats.cookies;
    await within(dev.client.connect(), 3000, 'a real device gets in under load');
    assert.is(dev.client.stats.cookies - cookies0, 1);
    await within(dev.client.send(new Uint8Array([1])), 2000, 'and its DATA is delivered');
  } finally {
    await closeAll(...peers, dev, relay.server);
  }
});

test('per-source rate: a noisy source gets cookies while its neighbours do not; proven messages over the proven rate are dropped unanswered; time refills', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'dos-rate', clock });
  const peers: RawPeer[] = [];
  let dev: AttackDevice | undefined;
  try {
    dev = await openDeviceAt('udp', relay.server.host, relay.server.udpPort, { label: 'dos-rate', clock });
    const adm = (await within(dev.client.enroll(relay.claim()), 3000, 'enroll')).admissionKey;
    await dev.close();
    const noisy = await rawUdpPeer(relay.server.host, relay.server.udpPort, '127.0.2.1');
    const quiet = await rawUdpPeer(relay.server.host, relay.server.udpPort, '127.0.2.2');
    peers.push(noisy, quiet);
    const burst = C.HANDSHAKE_BURST_PER_SOURCE;

    // Noisy: its own burst is admitted (one DH each), then cookies only.
    const m0 = metricsSnapshot(relay.server.metrics);
    for (let i = 0; i < burst + 60; i++) noisy.send(init(relay, adm));
    await waitFor(() => noisy.replies.length === 60, 2000, '60 cookies');
    await waitFor(() => relay.server.metrics.drops['handshake-auth'] - m0.drops['handshake-auth'] === burst, 2000, 'burst admitted');
    assert.is(relay.server.metrics.dhOperations - m0.dhOperations, burst, 'DH only within the source\'s burst');
    // Quiet neighbour: not under load globally, its own bucket is full: admitted without any cookie.
    const dh1 = relay.server.metrics.dhOperations;
    for (let i = 0; i < 10; i++) quiet.send(init(relay, adm));
    await waitFor(() => relay.server.metrics.dhOperations === dh1 + 10, 2000, 'neighbour admitted');
    await settle(20);
    assert.is(quiet.replies.length, 0, 'no cookie for the neighbour');

    // Noisy proves its address (mac2): the proven bucket admits a burst, then drops silently.
    const cookie = relay.server.channel.cookies.cookieFor('127.0.2.1', noisy.localPort);
    const dh2 = relay.server.metrics.dhOperations;
    const cookies2 = noisy.replies.length;
    const rl0 = relay.server.metrics.drops['rate-limited'];
    for (let i = 0; i < burst + 25; i++) noisy.send(init(relay, adm, cookie));
    await waitFor(() => relay.server.metrics.drops['rate-limited'] - rl0 === 25, 2000, '25 rate-limited');
    await settle(20);
    assert.is(relay.server.metrics.dhOperations - dh2, burst);
    assert.is(noisy.replies.length, cookies2, 'rate-limited: no reply at all');

    // One second later: HANDSHAKE_RATE_PER_SOURCE more tokens in each of its buckets (the plain
    // one admits first, then the proven one), and the rest dropped again.
    clock.advance(1000);
    const dh3 = relay.server.metrics.dhOperations;
    for (let i = 0; i < 2 * C.HANDSHAKE_RATE_PER_SOURCE + 5; i++) noisy.send(init(relay, adm, cookie));
    await waitFor(() => relay.server.metrics.drops['rate-limited'] - rl0 === 30, 2000, 'refill then limit');
    await settle(20);
    assert.is(relay.server.metrics.dhOperations - dh3, 2 * C.HANDSHAKE_RATE_PER_SOURCE);
    assert.is(noisy.replies.length, cookies2);
    onlyCookies(peers, C.SESSION_INIT_BYTES);
  } finally {
    await closeAll(...peers, dev, relay.server);
  }
});

// "A reply is never larger than the request that caused it" (protocol §2, §5), on the wire: a real
// device enrolls and opens a session through a recording proxy while the relay is always under
// load, so every kind of answer the relay gives to a message a spoofer could send appears:
// COOKIE_REPLY, ENROLL_RESP, ENROLLED (also to a retransmitted ENROLL_FINISH), SESSION_RESP.
test('every handshake answer is no larger than the message that caused it (cookie, ENROLL_RESP, ENROLLED, SESSION_RESP)', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'dos-sizes', clock, limits: { loadThreshold: 0 } });
  let proxy: Proxy | undefined;
  let dev: AttackDevice | undefined;
  try {
    proxy = await startProxy('udp', relay.server.host, relay.server.udpPort);
    dev = await openDeviceAt('udp', proxy.host, proxy.port, { label: 'dos-sizes', clock });
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll under load');
    const finish = proxy.messages.find((m) => m.dir === 'up' && m.bytes[0] === C.ENROLL_FINISH)!.bytes;
    proxy.inject('up', finish); // a retransmission: answered with the same ENROLLED
    await waitFor(() => proxy!.messages.filter((m) => m.dir === 'down' && m.bytes[0] === C.TRANSPORT).length === 2, 2000, 'ENROLLED again');
    await within(dev.client.connect(), 3000, 'session under load');
    // Pair every answer with the device message it answers: the last one sent before it.
    const seen = new Set<number>();
    let last: Uint8Array | null = null;
    let enrolledAnswers = 0;
    for (const m of proxy.messages) {
      if (m.dir === 'up') { last = m.bytes; continue; }
      if (m.bytes[0] === C.TRANSPORT && last?.[0] !== C.ENROLL_FINISH) continue; // session records: not handshake answers
      assert.ok(last !== null, 'an answer follows a request');
      assert.ok(m.bytes.length <= last!.length, `type ${m.bytes[0]} (${m.bytes.length} B) answers type ${last![0]} (${last!.length} B)`);
      seen.add(m.bytes[0]);
      if (m.bytes[0] === C.TRANSPORT) { enrolledAnswers++; assert.is(m.bytes.length, 67); }
    }
    // The injected retransmission is not in proxy.messages: its answer pairs with the device's own ENROLL_FINISH.
    assert.equal([...seen].sort(), [C.SESSION_RESP, C.COOKIE_REPLY, C.TRANSPORT, C.ENROLL_RESP].sort(), 'every kind of answer was seen');
    assert.is(enrolledAnswers, 2);
    assert.ok(relay.server.metrics.handshakes.cookieReplies >= 1);
  } finally {
    await closeAll(dev, proxy, relay.server);
  }
});

test.run();
