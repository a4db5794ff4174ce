// Denial of service (protocol §5, §8): messages without a valid mac1 cost no DH
// and get no reply; under load a valid mac1 without mac2 gets only a
// COOKIE_REPLY no larger than the request; the device retries with mac2;
// proven sources are rate-limited by a bucket spoofers cannot drain.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { generateKeyPair } from '../../cloud/noise/crypto.ts';
import { u64Bytes } from '../../cloud/protocol/bytes.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { mac1Key, writeMacs } from '../../cloud/protocol/macs.ts';
import { encodeEnrollInit, encodeSessionInit, encodeTransport, SESSION_INIT_MAC1, ENROLL_INIT_MAC1 } from '../../cloud/protocol/messages.ts';
import { Channel, MemoryRegistry, type Endpoint } from '../../cloud/relay/index.ts';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { closeAll, enrolledDevice, openDevice, rawUdp, settle, startRelay, waitFor, within } from './harness.ts';

const FLOOD = 3000;

test('a flood without valid mac1 performs zero DH and gets no reply', async () => {
  const relay = await startRelay({ label: 'flood' });
  const raw = await rawUdp(relay);
  let dev;
  try {
    const r = rng('flood');
    const claim = relay.claim();
    for (let i = 0; i < FLOOD; i++) {
      switch (i % 4) {
        case 0: raw.send(encodeSessionInit(r.u32(), r.bytes(104))); break; // garbage mac1
        case 1: { // well-formed initiation keyed to the wrong admission key
          const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: generateKeyPair(), rs: relay.server.relayStatic });
          const m = encodeSessionInit(r.u32(), hs.writeMessage(u64Bytes(1)));
          writeMacs(m, SESSION_INIT_MAC1, mac1Key(relay.server.relayStatic, r.bytes(32)), null);
          raw.send(m);
          if (i < 8) continue; // a few real-looking ones are enough: key generation is slow
          break;
        }
        case 2: { // a live claim id with a mac1 not keyed by its token
          const m = encodeEnrollInit(r.u32(), claim.claimId, r.bytes(48));
          writeMacs(m, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, r.bytes(32)), null);
          raw.send(m);
          break;
        }
        default: raw.send(encodeTransport(r.u32(), i, r.bytes(40))); // records for no session
      }
      if (i % 200 === 199) await settle(1); // keep the socket buffers from overflowing
    }
    const m = relay.server.metrics;
    await waitFor(() => m.drops.mac1 + m.drops['unknown-index'] >= FLOOD * 0.95, 5000, 'flood processed');
    await settle(50);
    assert.is(m.dhOperations, 0, 'no DH for strangers');
    assert.is(m.handshakes.sessionInits + m.handshakes.enrollInits, 0);
    assert.is(raw.replies.length, 0, 'never answered');
    // The relay still serves real devices.
    dev = await enrolledDevice(relay, 'udp');
    await within(dev.client.connect(), 3000, 'connect after flood');
  } finally {
    await closeAll(raw, dev, relay.server);
  }
});

test('under load: COOKIE_REPLY (52 bytes, <= the request), then the device gets through with mac2', async () => {
  const relay = await startRelay({ label: 'cookie', limits: { loadThreshold: 0 } });
  const raw = await rawUdp(relay);
  let dev;
  try {
    dev = await openDevice(relay, 'udp');
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll through a cookie');
    assert.ok(dev.client.stats.cookies >= 1);
    await within(dev.client.connect(), 3000, 'session with the stored cookie');
    assert.is(dev.client.stats.cookies, 1, 'the cookie is kept and reused for mac2 (120 s)');
    assert.is(relay.server.metrics.handshakes.cookieReplies, dev.client.stats.cookies);

    // Raw requests: a SESSION_INIT with a valid mac1 (the admission key) and no mac2, and an ENROLL_INIT.
    const creds = dev.client.credentials!;
    const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: generateKeyPair(), rs: relay.server.relayStatic });
    const init = encodeSessionInit(7, hs.writeMessage(u64Bytes(1)));
    writeMacs(init, SESSION_INIT_MAC1, mac1Key(relay.server.relayStatic, creds.admissionKey), null);
    const claim = relay.claim();
    const ehs = new HandshakeState({ pattern: 'XXpsk3', initiator: true, prologue: new Uint8Array([...C.PROLOGUE_ENROLL_PREFIX, ...claim.claimId]), s: generateKeyPair(), psk: claimPsk(claim.claimToken) });
    const einit = encodeEnrollInit(8, claim.claimId, ehs.writeMessage());
    writeMacs(einit, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, claimPsk(claim.claimToken)), null);
    const dh0 = relay.server.metrics.dhOperations;
    raw.send(init);
    raw.send(einit);
    await waitFor(() => raw.replies.length === 2, 2000, 'two cookie replies');
    for (const reply of raw.replies) {
      assert.is(reply[0], C.COOKIE_REPLY);
      assert.is(reply.length, 52);
    }
    assert.ok(raw.replies[0].length <= init.length && raw.replies[1].length <= einit.length, 'no amplification');
    assert.is(relay.server.metrics.dhOperations, dh0, 'a cookie costs no DH');
  } finally {
    await closeAll(raw, dev, relay.server);
  }
});

test('proven sources are rate-limited; unproven messages cannot drain their bucket', () => {
  const clock = new ManualClock();
  const relayId = identityFromSeed(rng('ratelimit').bytes(32));
  const admissionKey = rng('ratelimit-adm').bytes(32);
  const ch = new Channel({
    staticSecret: relayId.x25519Secret, admissionKey, registry: new MemoryRegistry(), clock,
    limits: { loadThreshold: 1000, handshakeRatePerSource: 1, handshakeBurstPerSource: 2 },
  });
  try {
    const replies: Uint8Array[] = [];
    const ep: Endpoint = { kind: 'udp', address: '192.0.2.1', port: 4000, send: (m) => replies.push(m), close: () => {} };
    const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: generateKeyPair(), rs: ch.relayStatic });
    const noise = hs.writeMessage(u64Bytes(1));
    const msg = (withCookie: boolean): Uint8Array => {
      const m = encodeSessionInit(1, noise);
      writeMacs(m, SESSION_INIT_MAC1, ch.sessionMac1Key, withCookie ? ch.cookies.cookieFor(ep.address, ep.port) : null);
      return m;
    };
    const reachedDh = () => ch.metrics.dhOperations; // unknown device: one DH each
    ch.handle(msg(false), ep); ch.handle(msg(false), ep); // the source's own budget (burst 2)
    assert.is(reachedDh(), 2);
    for (let i = 0; i < 10; i++) ch.handle(msg(false), ep); // over its rate: cookies only
    assert.is(replies.length, 10);
    assert.ok(replies.every((r) => r.length === C.COOKIE_REPLY_BYTES));
    assert.is(reachedDh(), 2);
    for (let i = 0; i < 5; i++) ch.handle(msg(true), ep); // proven: burst 2 of the proven bucket, the rest dropped
    assert.is(reachedDh(), 4);
    assert.is(ch.metrics.drops['rate-limited'], 3);
    clock.advance(1000);
    ch.handle(msg(true), ep);
    assert.is(reachedDh(), 5, 'refilled at 1/s');
  } finally {
    ch.close();
  }
});

test.run();
