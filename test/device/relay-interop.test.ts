// The release core (build/sealink-core.wasm) on the simulated board, against
// the TypeScript relay (cloud/relay) over real UDP and TCP sockets on
// 127.0.0.1, with one injected clock for both sides and a seeded device RNG:
// enrollment (XXpsk3), sessions (IKpsk2), DATA streamed until acknowledged,
// rekey after the jittered interval with no DATA lost, a reboot that resumes
// from storage, and refusal of relays with another static key.

import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ManualClock, STATE, ERR, claimBundle, put, runUntil, startTestDevice, startTestRelay,
  type TestDevice, type TestRelay,
} from './support.ts';
import { rng } from '../support/rng.ts';
import { didFromEd25519 } from '../../cloud/keys/did.ts';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { keyPairFromSecret } from '../../cloud/noise/crypto.ts';
import { concatBytes } from '../../cloud/protocol/bytes.ts';
import { ENROLL_FINISH, ENROLL_INIT, PROLOGUE_ENROLL_PREFIX } from '../../cloud/protocol/constants.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { decodeMessage, encodeEnrollResp, ENROLL_RESP_NOISE_BYTES } from '../../cloud/protocol/messages.ts';
import { bindResponseHeader, RESPONSE_HEADER_BYTES } from '../../cloud/protocol/response-header.ts';

type Transport = 'udp' | 'tcp';

async function enrolledDevice(clock: ManualClock, relay: TestRelay, transport: Transport, label: string): Promise<TestDevice> {
  const d = await startTestDevice(clock, label);
  const { claimId, claimToken } = relay.claim();
  const port = transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort;
  const bundle = claimBundle(relay.identity.ed25519PublicKey, transport, port, claimId, claimToken);
  put(d.x, 0, bundle);
  assert.is(d.x.fw_enroll(0, bundle.length), 0);
  await runUntil(clock, [d], () => d.status().state === STATE.ESTABLISHED, { what: 'enrollment and first session' });
  // The relay takes the session once the device's first record arrives (§4 key confirmation).
  await runUntil(clock, [d], () => relay.server.metrics.handshakes.sessionsConfirmed >= 1, { stepMs: 10, what: 'key confirmation' });
  return d;
}

for (const transport of ['udp', 'tcp'] as const) {
  const test = suite(`device core <-> TS relay over ${transport.toUpperCase()}`);

  test('enrolls, opens a session, streams DATA until every item is acknowledged', async () => {
    const clock = new ManualClock();
    const relay = await startTestRelay(clock, `stream-${transport}`);
    let d: TestDevice | undefined;
    try {
      d = await enrolledDevice(clock, relay, transport, `stream-${transport}`);
      const s0 = d.status();
      assert.is(s0.error, ERR.NONE);
      assert.is(s0.transport, transport === 'tcp' ? 1 : 0);
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      // The relay registered the device under the key fw_public_key reports.
      put(d.x, 0, new Uint8Array(32));
      d.x.fw_public_key(0);
      const pub = new Uint8Array(d.x.memory.buffer, d.x.fw_io_ptr(), 32).slice();
      assert.ok(relay.registry.deviceByDid(didFromEd25519(pub)), 'device registered under its DID');

      const sent: string[] = [];
      for (let i = 0; i < 40; i++) { const t = `reading ${transport} ${i}`; sent.push(t); d.send(t); }
      await runUntil(clock, [d], () => d!.status().queued === 0, { what: 'all DATA acknowledged' });
      const st = d.status();
      assert.equal([...new Set(relay.delivered)].sort(), [...sent].sort(), 'every reading delivered');
      assert.is(st.acked, 40);
      assert.is(st.inFlight, 0);
      assert.ok(st.sendCounter >= 40n);
      assert.is(st.linkResets, 0);
      // Relay -> device DATA (controls) is authenticated, counted and acknowledged.
      assert.ok(relay.server.sendData(didFromEd25519(pub), new TextEncoder().encode('control')));
      await runUntil(clock, [d], () => d!.status().dataReceived === 1, { stepMs: 10, what: 'relay DATA received' });
    } finally {
      d?.close();
      await relay.server.close();
    }
  });

  test('rekeys after its jittered interval, with DATA in flight, and loses none', async () => {
    const clock = new ManualClock();
    const relay = await startTestRelay(clock, `rekey-${transport}`);
    let d: TestDevice | undefined;
    try {
      d = await enrolledDevice(clock, relay, transport, `rekey-${transport}`);
      const intervals: number[] = [];
      const sent: string[] = [];
      let n = 0;
      // Three rekeys; a reading every 700 ms of simulated time all along.
      for (let round = 0; round < 3; round++) {
        const st = d.status();
        const due = st.rekeyInMs + Number(st.sessionAgeMs);
        // REKEY_AFTER_TIME 120 s +- REKEY_JITTER 30 s (§7)
        assert.ok(due >= 90_000 && due <= 150_000, `rekey due ${due} ms after the session began`);
        intervals.push(due);
        const sessions = st.sessions;
        let last = clock.now();
        const took = await runUntil(clock, [d], () => {
          if (clock.now() - last >= 700) { last = clock.now(); const t = `r${transport}-${n++}`; sent.push(t); d!.send(t); }
          return d!.status().sessions > sessions;
        }, { stepMs: 250, maxMs: 200_000, what: `rekey ${round + 1}` });
        assert.ok(took >= st.rekeyInMs && took <= st.rekeyInMs + 2_000, `new session after ${took} ms, rekey was due in ${st.rekeyInMs}`);
      }
      assert.ok(new Set(intervals).size > 1, `jitter: intervals ${intervals.join(', ')} differ`);
      await runUntil(clock, [d], () => d!.status().queued === 0, { what: 'all DATA acknowledged after the rekeys' });
      const got = new Set(relay.delivered);
      const lost = sent.filter((t) => !got.has(t));
      assert.equal(lost, [], 'no DATA lost across rekeys');
      // At least once: a reading whose ACK was still in flight at the switch may arrive twice.
      assert.ok(relay.delivered.length - got.size <= 3 * 8, `duplicates: ${relay.delivered.length - got.size}`);
      assert.is(relay.server.metrics.rekeysRequested, 0, 'the device rekeyed before the relay had to ask');
      assert.is(d.status().error, ERR.NONE);
    } finally {
      d?.close();
      await relay.server.close();
    }
  });

  test('under load the relay answers with COOKIE_REPLY; the device retries with mac2 and gets through', async () => {
    const clock = new ManualClock();
    // loadThreshold 0: every handshake message counts as "under load" (§5).
    const relay = await startTestRelay(clock, `cookie-${transport}`, { limits: { loadThreshold: 0 } });
    let d: TestDevice | undefined;
    try {
      d = await enrolledDevice(clock, relay, transport, `cookie-${transport}`);
      const st = d.status();
      // One cookie serves both ENROLL_INIT's retry and the SESSION_INIT that
      // follows: it is bound to the source address, not the message type.
      assert.ok(st.cookies >= 1, `cookies accepted: ${st.cookies}`);
      assert.ok(st.cookie, 'a fresh cookie is held');
      assert.is(relay.server.metrics.handshakes.cookieReplies, st.cookies);
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      d.send('through the cookie');
      await runUntil(clock, [d], () => d!.status().queued === 0, { what: 'DATA acknowledged' });
      assert.ok(relay.delivered.includes('through the cookie'));
    } finally {
      d?.close();
      await relay.server.close();
    }
  });

  test('a REKEY frame from the relay starts a new handshake at once', async () => {
    const clock = new ManualClock();
    const relay = await startTestRelay(clock, `rekey-frame-${transport}`);
    let d: TestDevice | undefined;
    try {
      d = await enrolledDevice(clock, relay, transport, `rekey-frame-${transport}`);
      const before = d.status().sessions;
      d.x.fw_public_key(0);
      const pub = new Uint8Array(d.x.memory.buffer, d.x.fw_io_ptr(), 32).slice();
      assert.ok(relay.server.requestRekey(didFromEd25519(pub)));
      const took = await runUntil(clock, [d], () => d!.status().sessions > before, { stepMs: 10, what: 'rekey on request' });
      assert.ok(took < 1_000, `rekeyed ${took} ms after REKEY`);
    } finally {
      d?.close();
      await relay.server.close();
    }
  });

  test.run();
}

const misc = suite('device core <-> TS relay: reboot and interception');

misc('a reboot resumes from storage: higher initiation counter, queued DATA delivered', async () => {
  const clock = new ManualClock();
  const relay = await startTestRelay(clock, 'reboot');
  let d: TestDevice | undefined;
  let d2: TestDevice | undefined;
  try {
    d = await enrolledDevice(clock, relay, 'udp', 'reboot');
    const counterBefore = d.status().initiationCounter;
    d.close(); // power cut: the link goes, the storage stays
    d2 = await startTestDevice(clock, 'reboot-2', d.storage);
    assert.is(d2.status().state, STATE.CONNECTING);
    d2.send('after reboot 1');
    d2.send('after reboot 2');
    await runUntil(clock, [d2], () => d2!.status().queued === 0, { what: 'DATA after reboot' });
    assert.ok(d2.status().initiationCounter > counterBefore, 'initiation counter skipped ahead');
    assert.ok(relay.delivered.includes('after reboot 1') && relay.delivered.includes('after reboot 2'));
    assert.is(relay.server.metrics.drops['replayed-initiation'], 0);
  } finally {
    d?.close();
    d2?.close();
    await relay.server.close();
  }
});

misc('a relay with another static key cannot even answer ENROLL_INIT: mac1 binds the pinned key', async () => {
  const clock = new ManualClock();
  const genuine = await startTestRelay(clock, 'genuine');
  const impostor = await startTestRelay(clock, 'impostor'); // holds the claim (the token leaked), not the network key
  let d: TestDevice | undefined;
  try {
    const { claimId, claimToken } = genuine.claim();
    impostor.registry.addClaim(genuine.registry.claimById(claimId)!);
    d = await startTestDevice(clock, 'intercepted-1');
    const bundle = claimBundle(genuine.identity.ed25519PublicKey, 'udp', impostor.server.udpPort, claimId, claimToken);
    put(d.x, 0, bundle);
    assert.is(d.x.fw_enroll(0, bundle.length), 0);
    await runUntil(clock, [d], () => impostor.server.metrics.drops.mac1 >= 3, { stepMs: 500, what: 'three ENROLL_INITs refused' });
    assert.is(impostor.server.metrics.handshakes.enrollInits, 0);
    assert.is(impostor.server.metrics.dhOperations, 0, 'no DH spent on them');
    assert.is(d.status().state, STATE.ENROLLING);
  } finally {
    d?.close();
    await genuine.server.close();
    await impostor.server.close();
  }
});

misc('enrollment refuses an active impostor that presents another static key (pinning)', async () => {
  const clock = new ManualClock();
  const genuine = await startTestRelay(clock, 'genuine-pin');
  // An attacker with the claim token and S_relay (public) can compute mac1 and
  // run XXpsk3; it cannot present the network's static key.
  const r = rng('impostor-pin');
  const fake = keyPairFromSecret(r.bytes(32));
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  const port = (sock.address() as AddressInfo).port;
  let finishes = 0;
  let d: TestDevice | undefined;
  try {
    const { claimId, claimToken } = genuine.claim();
    sock.on('message', (msg, from) => {
      const m = decodeMessage(new Uint8Array(msg));
      if (typeof m === 'string') return;
      if (m.type === ENROLL_FINISH) { finishes++; return; }
      if (m.type !== ENROLL_INIT) return;
      const hs = new HandshakeState({
        pattern: 'XXpsk3', initiator: false, s: fake, psk: claimPsk(claimToken),
        prologue: concatBytes(PROLOGUE_ENROLL_PREFIX, claimId),
      });
      hs.readMessage(m.noise);
      // Written as a relay writes it (header hashed first, protocol §2), so the device judges it on the static key alone.
      const resp = encodeEnrollResp(7, m.sender, new Uint8Array(ENROLL_RESP_NOISE_BYTES));
      bindResponseHeader(hs, resp);
      resp.set(hs.writeMessage(), RESPONSE_HEADER_BYTES);
      sock.send(resp, from.port, from.address);
    });
    d = await startTestDevice(clock, 'intercepted-2');
    const bundle = claimBundle(genuine.identity.ed25519PublicKey, 'udp', port, claimId, claimToken);
    put(d.x, 0, bundle);
    assert.is(d.x.fw_enroll(0, bundle.length), 0);
    await runUntil(clock, [d], () => d!.status().wrongRelay >= 3, { stepMs: 500, what: 'three refusals' });
    const st = d.status();
    assert.is(st.state, STATE.ENROLLING);
    assert.is(st.error, ERR.WRONG_RELAY);
    assert.is(finishes, 0, 'the device never sent ENROLL_FINISH (its identity and payload) to the impostor');
    assert.is(genuine.registry.claimById(claimId)!.used, false);
  } finally {
    d?.close();
    sock.close();
    await genuine.server.close();
  }
});

misc('an enrolled device gets no session from a relay with another static key on its address', async () => {
  const clock = new ManualClock();
  const genuine = await startTestRelay(clock, 'genuine-2');
  let impostor: TestRelay | undefined;
  let d: TestDevice | undefined;
  try {
    d = await enrolledDevice(clock, genuine, 'udp', 'session-intercept');
    const port = genuine.server.udpPort;
    // Same address, same admission key and a copy of the registry: everything but the network's static key.
    await genuine.server.close();
    impostor = await startTestRelay(clock, 'impostor-2', { admissionKey: genuine.admissionKey, registry: genuine.registry, udpPort: port });
    clock.advance(300_000); // the old session expires
    await runUntil(clock, [d], () => impostor!.server.metrics.drops.mac1 + impostor!.server.metrics.drops['handshake-auth'] >= 3,
      { stepMs: 1_000, what: 'the impostor refusing three initiations' });
    const st = d.status();
    assert.is(st.state, STATE.CONNECTING);
    assert.is(impostor.server.metrics.handshakes.sessionInits, 0);
    assert.is(impostor.server.metrics.recordsOut, 0);
  } finally {
    d?.close();
    await impostor?.server.close();
    await genuine.server.close();
  }
});

misc.run();
