// Enrollment edges (protocol §3, §8): claim lookup and mac1 before any DH;
// expired, used and unknown claims dropped; a retransmitted ENROLL_FINISH gets
// the same ENROLLED; the device aborts when the relay's static key is not the
// pinned one; the Noise static must be the DID's key.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceEnrollment, type EnrollHost } from '../../cloud/device/enroll.ts';
import { DeviceError } from '../../cloud/device/errors.ts';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { generateKeyPair, keyPairFromSecret } from '../../cloud/noise/crypto.ts';
import { concatBytes } from '../../cloud/protocol/bytes.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { cookieReplyKey, mac1Key, writeMacs } from '../../cloud/protocol/macs.ts';
import {
  decodeMessage, encodeEnrollFinish, encodeEnrollInit, encodeEnrollResp, ENROLL_INIT_MAC1, type EnrollResp,
} from '../../cloud/protocol/messages.ts';
import { bindResponseHeader, RESPONSE_HEADER_BYTES } from '../../cloud/protocol/response-header.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { toHex } from '../support/hex.ts';
import { closeAll, openDevice, rawUdp, recording, settle, startRelay, waitFor, within } from './harness.ts';

test('expired, used and unknown claims are dropped before any DH', async () => {
  const clock = new ManualClock();
  const relay = await startRelay({ label: 'claims', clock });
  let a, b, c;
  try {
    const expired = relay.claim('did:key:owner', 60_000);
    clock.advance(60_000);
    a = await openDevice(relay, 'udp', { clock });
    void a.client.enroll(expired).catch(() => {});
    await waitFor(() => relay.server.metrics.drops['claim-expired'] === 1, 2000, 'expired');

    const once = relay.claim();
    b = await openDevice(relay, 'udp', { clock });
    await within(b.client.enroll(once), 3000, 'first use');
    c = await openDevice(relay, 'udp', { clock });
    void c.client.enroll(once).catch(() => {});
    await waitFor(() => relay.server.metrics.drops['claim-used'] === 1, 2000, 'used');

    void c.client.enroll({ ...once, claimId: rng('x').bytes(8) }).catch(() => {});
    await waitFor(() => relay.server.metrics.drops['unknown-claim'] === 1, 2000, 'unknown');
    assert.is(relay.server.metrics.dhOperations, 4, 'only the one real enrollment did DH');
  } finally {
    await closeAll(a, b, c, relay.server);
  }
});

test('a retransmitted ENROLL_FINISH is answered with the same ENROLLED; other bytes are not', async () => {
  const relay = await startRelay({ label: 'finish-retransmit' });
  const sent: Uint8Array[] = [];
  let dev;
  const raw = await rawUdp(relay);
  try {
    dev = await openDevice(relay, 'udp', { wrap: recording(sent) });
    const replies: Uint8Array[] = [];
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll');
    const finish = sent.find((m) => m[0] === C.ENROLL_FINISH)!;
    raw.send(finish);
    await waitFor(() => raw.replies.length === 1, 2000, 'ENROLLED again');
    replies.push(...raw.replies);
    const enrolled = decodeMessage(replies[0]);
    assert.ok(typeof enrolled === 'object' && enrolled.type === C.TRANSPORT && enrolled.counter === 0);
    assert.is(replies[0].length, 67, 'ENROLLED record is 67 bytes (§2)');
    const forged = finish.slice(); forged[50] ^= 1;
    raw.send(forged);
    await waitFor(() => relay.server.metrics.drops['handshake-auth'] === 1, 2000, 'forged dropped');
    await settle();
    assert.is(raw.replies.length, 1);
    assert.is(relay.server.metrics.handshakes.enrolled, 1);
  } finally {
    await closeAll(raw, dev, relay.server);
  }
});

/** Run the device's enrollment against a hand-made responder. */
function enrollmentAgainst(responderStatic: ReturnType<typeof generateKeyPair>, pinned: Uint8Array) {
  const r = rng('pin-unit');
  const device = identityFromSeed(r.bytes(32));
  const claimId = r.bytes(8); const token = r.bytes(16);
  const out: Uint8Array[] = [];
  const host: EnrollHost = {
    staticKey: keyPairFromSecret(device.x25519Secret), ed25519PublicKey: device.ed25519PublicKey,
    send: (m) => out.push(m), newIndex: () => 77, cookie: () => null, storeCookie: () => {}, cookieReplyKey: cookieReplyKey(pinned),
  };
  const en = new DeviceEnrollment(host, pinned, claimId, token);
  en.start();
  const init = out[0];
  assert.is(init.length, C.ENROLL_INIT_BYTES);
  const resp = new HandshakeState({
    pattern: 'XXpsk3', initiator: false, prologue: concatBytes(C.PROLOGUE_ENROLL_PREFIX, claimId), s: responderStatic, psk: claimPsk(token),
  });
  resp.readMessage(init.subarray(16, 64));
  const bytes = encodeEnrollResp(5, 77, new Uint8Array(96));
  bindResponseHeader(resp, bytes); // as the relay does (protocol §2)
  bytes.set(resp.writeMessage(), RESPONSE_HEADER_BYTES);
  const msg = decodeMessage(bytes) as EnrollResp;
  return { en, msg, out, device, resp };
}

test('device: a relay static key other than the pinned one aborts enrollment', () => {
  const pinned = generateKeyPair();
  const impostor = generateKeyPair();
  const { en, msg } = enrollmentAgainst(impostor, pinned.publicKey);
  assert.throws(() => en.onResp(msg), (e: Error) => e instanceof DeviceError && e.code === 'relay-key-mismatch');
  const ok = enrollmentAgainst(pinned, pinned.publicKey);
  assert.ok(ok.en.onResp(ok.msg), 'the pinned key is accepted');
  const finish = ok.out.at(-1)!;
  assert.is(finish.length, C.ENROLL_FINISH_BYTES);
  assert.is(toHex(ok.resp.readMessage(finish.subarray(8))), toHex(ok.device.ed25519PublicKey), 'payload = Ed25519 key');
});

test('relay: an ENROLL_FINISH whose Noise static is not the DID key is refused', async () => {
  const relay = await startRelay({ label: 'did-binding' });
  const raw = await rawUdp(relay);
  try {
    const r = rng('did-binding');
    const bundle = relay.claim();
    const psk = claimPsk(bundle.claimToken);
    const hs = new HandshakeState({
      pattern: 'XXpsk3', initiator: true, prologue: concatBytes(C.PROLOGUE_ENROLL_PREFIX, bundle.claimId),
      s: generateKeyPair(), psk, // a static key unrelated to the Ed25519 key sent below
    });
    const init = encodeEnrollInit(1, bundle.claimId, hs.writeMessage());
    writeMacs(init, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, psk), null);
    raw.send(init);
    await waitFor(() => raw.replies.length === 1, 2000, 'ENROLL_RESP');
    const resp = decodeMessage(raw.replies[0]) as EnrollResp;
    bindResponseHeader(hs, resp.bytes);
    hs.readMessage(resp.noise);
    raw.send(encodeEnrollFinish(resp.sender, hs.writeMessage(identityFromSeed(r.bytes(32)).ed25519PublicKey)));
    await waitFor(() => relay.server.metrics.drops['enroll-key-mismatch'] === 1, 2000, 'refused');
    await settle();
    assert.is(raw.replies.length, 1);
    assert.is(relay.server.metrics.handshakes.enrolled, 0);
    assert.not.ok(relay.registry.claimById(bundle.claimId)!.used, 'claim still unused');
  } finally {
    await closeAll(raw, relay.server);
  }
});

/** A scripted XXpsk3 initiator for `bundle`: a fresh ephemeral per call. */
function scriptedEnrollInit(relay: Awaited<ReturnType<typeof startRelay>>, bundle: { claimId: Uint8Array; claimToken: Uint8Array }, index: number) {
  const psk = claimPsk(bundle.claimToken);
  const device = identityFromSeed(rng(`scripted-enroll-${index}`).bytes(32));
  const hs = new HandshakeState({
    pattern: 'XXpsk3', initiator: true, prologue: concatBytes(C.PROLOGUE_ENROLL_PREFIX, bundle.claimId),
    s: keyPairFromSecret(device.x25519Secret), psk,
  });
  const init = encodeEnrollInit(index, bundle.claimId, hs.writeMessage());
  writeMacs(init, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, psk), null);
  return { hs, init, device };
}

test('ENROLL_INIT replays (§3): an answered `e` is dropped before any DH and never replaces the live attempt; a retry with a fresh `e` still works', async () => {
  const relay = await startRelay({ label: 'enroll-init-replay' });
  const raw = await rawUdp(relay);
  try {
    const bundle = relay.claim();
    const m = relay.server.metrics;
    // Attempt 1: answered, but its ENROLL_RESP "is lost" (the device never reads it).
    const a1 = scriptedEnrollInit(relay, bundle, 1);
    raw.send(a1.init);
    await waitFor(() => raw.replies.length === 1, 2000, 'ENROLL_RESP 1');
    const dh1 = m.dhOperations;
    assert.is(dh1, 3, 'the first answer costs e, ee, es');
    // The device's retry: a fresh ephemeral (§3), so it is answered and replaces attempt 1.
    const a2 = scriptedEnrollInit(relay, bundle, 2);
    raw.send(a2.init);
    await waitFor(() => raw.replies.length === 2, 2000, 'ENROLL_RESP 2');
    assert.is(m.dhOperations, dh1 + 3);
    // Replays of both answered messages: dropped, unanswered, no DH, attempt 2 stays live.
    for (const x of [a1.init, a2.init, a2.init]) raw.send(x);
    await waitFor(() => m.drops['replayed-enroll-init'] === 3, 2000, 'replays dropped');
    await settle();
    assert.is(raw.replies.length, 2, 'no answer to a replay');
    assert.is(m.dhOperations, dh1 + 3, 'no DH for a replay');
    assert.is(m.handshakes.enrollInits, 2);
    // Attempt 2 completes.
    const resp = decodeMessage(raw.replies[1]) as EnrollResp;
    assert.is(resp.receiver, 2);
    bindResponseHeader(a2.hs, resp.bytes);
    a2.hs.readMessage(resp.noise);
    raw.send(encodeEnrollFinish(resp.sender, a2.hs.writeMessage(a2.device.ed25519PublicKey)));
    await waitFor(() => m.handshakes.enrolled === 1, 2000, 'enrolled');
    assert.ok(relay.registry.deviceByDid(a2.device.did) !== undefined);
    // Attempt 1 was replaced: its ENROLL_FINISH finds nothing.
    const r1 = decodeMessage(raw.replies[0]) as EnrollResp;
    bindResponseHeader(a1.hs, r1.bytes);
    a1.hs.readMessage(r1.noise);
    raw.send(encodeEnrollFinish(r1.sender, a1.hs.writeMessage(a1.device.ed25519PublicKey)));
    await waitFor(() => m.drops['unknown-index'] === 1, 2000, 'attempt 1 gone');
  } finally {
    await closeAll(raw, relay.server);
  }
});

test('under load, the device resends the same ENROLL_INIT with mac2 after a COOKIE_REPLY (§5): the filter lets it through', async () => {
  const relay = await startRelay({ label: 'enroll-init-cookie', limits: { loadThreshold: 0 } }); // always under load
  let dev;
  try {
    const sent: Uint8Array[] = [];
    dev = await openDevice(relay, 'udp', { wrap: recording(sent) });
    await within(dev.client.enroll(relay.claim()), 3000, 'enroll under load');
    const inits = sent.filter((x) => x[0] === C.ENROLL_INIT);
    assert.is(inits.length, 2, 'first without mac2, then with it');
    assert.is(toHex(inits[0].subarray(16, 48)), toHex(inits[1].subarray(16, 48)), 'the same ephemeral both times');
    assert.is(relay.server.metrics.handshakes.cookieReplies, 1);
    assert.is(relay.server.metrics.drops['replayed-enroll-init'], 0);
    assert.is(relay.server.metrics.handshakes.enrolled, 1);
  } finally {
    await closeAll(dev, relay.server);
  }
});

test.run();
