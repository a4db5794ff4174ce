// Attack: interception. The device pins the relay network's static key S_relay
// (protocol §3, §4). An impostor relay with another static key, or an active man
// in the middle that re-encrypts or swaps ephemeral keys, must get nowhere:
// - enrollment: mac1 of ENROLL_INIT is keyed with the pinned S_relay, so a relay
//   without the network key cannot even check it and never answers; a MITM that
//   answers anyway with its own static key makes the device abort (TS device:
//   DeviceError 'relay-key-mismatch'; WASM core: ERR_WRONG_RELAY, §8) before it
//   sends ENROLL_FINISH (its Ed25519 key never leaves it); a MITM that presents
//   the real S_relay with its own ephemeral cannot produce the "es" tag, so the
//   device drops its reply;
// - sessions: IK never sends S_relay, so a wrong relay cannot answer: its reply
//   fails authentication and is dropped (§8 "AEAD failure"), the device never
//   uses a session, and no DATA reaches anyone; records re-encrypted by a MITM
//   are refused by the relay.
// The worst case is assumed throughout: the attacker holds the claim token, the
// admission key and (for sessions) a copy of the relay's registry — everything
// but the network key's secret. Run with the TypeScript reference device and
// with the WASM sensor core.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceError } from '../../cloud/device/index.ts';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { CipherState } from '../../cloud/noise/cipher-state.ts';
import { HandshakeState } from '../../cloud/noise/handshake-state.ts';
import { generateKeyPair, type KeyPair } from '../../cloud/noise/crypto.ts';
import { concatBytes } from '../../cloud/protocol/bytes.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { encodeFrames } from '../../cloud/protocol/frames.ts';
import { claimPsk } from '../../cloud/protocol/keys.ts';
import { mac1Key, verifyMac1, writeMacs } from '../../cloud/protocol/macs.ts';
import {
  decodeMessage, encodeEnrollInit, encodeTransport, ENROLL_INIT_MAC1, SESSION_INIT_MAC1,
  type EnrollInit, type EnrollResp,
} from '../../cloud/protocol/messages.ts';
import { MemoryRegistry, startChannelServer, type ChannelServer } from '../../cloud/relay/index.ts';
import { closeAll, settle, startRelay, waitFor, within, type Relay } from '../channel/harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { noteWasmDevice, openDeviceAt, wasmDeviceAvailable, type AttackDevice, type Transport } from './support/devices.ts';
import { startProxy, type Proxy } from './support/proxy.ts';
import { enrollResp, readResp, sessionInit } from './support/scripted.ts';
import { ERR, openWasmDevice, STATE, type WasmDevice } from './support/wasm-device.ts';
import { relayState } from './support/state.ts';

const WATCH_MS = 400;

/** Watch a promise that must stay pending (its eventual rejection at close is handled). */
const never = <T>(p: Promise<T>): { settled: () => boolean; value: () => unknown } => {
  let done = false; let value: unknown;
  p.then((v) => { done = true; value = v; }, (e) => { done = true; value = e; });
  return { settled: () => done, value: () => value };
};

/** An impostor relay: its own network key, and whatever the attacker stole (admission key, registry records). */
async function impostorRelay(admissionKey: Uint8Array, label: string): Promise<{ server: ChannelServer; registry: MemoryRegistry; delivered: Uint8Array[] }> {
  const registry = new MemoryRegistry();
  const delivered: Uint8Array[] = [];
  const server = await startChannelServer({
    staticSecret: identityFromSeed(rng(`impostor:${label}`).bytes(32)).x25519Secret, admissionKey, registry,
    onData: (_did, b) => { delivered.push(b.slice()); },
  });
  return { server, registry, delivered };
}

/** A relay and a device enrolled with it (directly), then re-opened through a proxy with the same identity and credentials. */
async function enrolledBehindProxy(relay: Relay, transport: Transport, label: string, clock?: ManualClock) {
  const direct = await openDeviceAt(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort, { label });
  const creds = await within(direct.client.enroll(relay.claim()), 3000, 'enroll');
  await direct.close();
  const proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
  const dev = await openDeviceAt(transport, proxy.host, proxy.port, { label, identity: direct.identity, credentials: creds, clock });
  return { dev, proxy, creds };
}

for (const transport of ['udp', 'tcp'] as Transport[]) {
  test(`${transport}: an impostor relay (another static key, the same claim token) cannot even check mac1: no reply, no ENROLL_FINISH`, async () => {
    const relay = await startRelay({ label: `icpt-enroll-${transport}` });
    const imp = await impostorRelay(relay.admissionKey, `enroll-${transport}`);
    const clock = new ManualClock();
    let dev: AttackDevice | undefined;
    let proxy: Proxy | undefined;
    try {
      const bundle = relay.claim(); // the real claim, pinned to the real relay...
      imp.registry.addClaim(relay.registry.claimById(bundle.claimId)!); // ...and the attacker knows the token too
      proxy = await startProxy(transport, imp.server.host, transport === 'udp' ? imp.server.udpPort : imp.server.tcpPort);
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `icpt-enroll-${transport}`, clock });
      const outcome = never(dev.client.enroll(bundle));
      for (let i = 0; i < 3; i++) { // the first attempt and two retries, each a fresh ENROLL_INIT
        await waitFor(() => imp.server.metrics.drops.mac1 === i + 1, 2000, `ENROLL_INIT ${i + 1} refused`);
        clock.advance(C.REKEY_TIMEOUT + C.REKEY_TIMEOUT_JITTER);
      }
      await settle(50);
      // mac1 of ENROLL_INIT is keyed with the pinned S_relay: a relay without that key drops it before any DH.
      assert.is(imp.server.metrics.dhOperations, 0);
      assert.is(imp.server.metrics.handshakes.enrollInits, 0);
      assert.is(proxy.messages.filter((m) => m.dir === 'down').length, 0, 'never answered');
      assert.not.ok(proxy.messages.some((m) => m.bytes[0] === C.ENROLL_FINISH), 'no ENROLL_FINISH: the Ed25519 key never left the device');
      assert.not.ok(outcome.settled());
      assert.not.ok(imp.registry.claimById(bundle.claimId)!.used);
      assert.is(dev.client.credentials, undefined);
      const send = await dev.client.send(new Uint8Array([1])).then(() => null, (e: unknown) => e);
      assert.is((send as DeviceError).code, 'not-enrolled');
      assert.is(imp.delivered.length + relay.delivered.length, 0);
    } finally {
      await closeAll(dev, proxy, imp.server, relay.server);
    }
  });

  test(`${transport}: a MITM answering enrollment with its own static key (it holds the claim token): the device aborts with relay-key-mismatch`, async () => {
    const relay = await startRelay({ label: `icpt-mitm-own-${transport}` });
    let dev: AttackDevice | undefined;
    let proxy: Proxy | undefined;
    try {
      const bundle = relay.claim();
      const psk = claimPsk(bundle.claimToken);
      const prologue = concatBytes(C.PROLOGUE_ENROLL_PREFIX, bundle.claimId);
      const mitmStatic = generateKeyPair();
      const before = relayState(relay.server.channel, relay.registry);
      proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
      proxy.intercept = (m, dir) => {
        if (dir !== 'up' || m[0] !== C.ENROLL_INIT) return 'forward';
        const init = decodeMessage(m) as EnrollInit;
        const hs = new HandshakeState({ pattern: 'XXpsk3', initiator: false, prologue, s: mitmStatic, psk });
        hs.readMessage(init.noise); // the stolen claim token makes this work
        proxy!.inject('down', enrollResp(hs, 0x4d49544d, init.sender));
        return 'drop';
      };
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `icpt-mitm-own-${transport}` });
      const err = await within(dev.client.enroll(bundle).then(() => null, (e: unknown) => e), 3000, 'enroll outcome');
      assert.instance(err, DeviceError);
      assert.is((err as DeviceError).code, 'relay-key-mismatch');
      await settle(50);
      assert.not.ok(proxy.messages.some((m) => m.bytes[0] === C.ENROLL_FINISH), 'no ENROLL_FINISH');
      assert.is(relay.server.metrics.handshakes.enrollInits, 0);
      assert.is(relay.server.metrics.dhOperations, 0);
      assert.is(relayState(relay.server.channel, relay.registry), before, 'registry, claim and tables unchanged');
    } finally {
      await closeAll(dev, proxy, relay.server);
    }
  });

  test(`${transport}: a MITM that swaps ephemerals and replays the real S_relay cannot authenticate: no ENROLL_FINISH, nothing registered`, async () => {
    const relay = await startRelay({ label: `icpt-mitm-swap-${transport}` });
    let dev: AttackDevice | undefined;
    let proxy: Proxy | undefined;
    try {
      const bundle = relay.claim();
      const psk = claimPsk(bundle.claimToken);
      const prologue = concatBytes(C.PROLOGUE_ENROLL_PREFIX, bundle.claimId);
      const mitm = generateKeyPair();
      // The real relay's public key with the MITM's secret behind it: what an attacker can present.
      const lying: KeyPair = { publicKey: relay.server.relayStatic, privateKey: mitm.privateKey };
      let toDevice: HandshakeState | null = null;
      let toRelay: HandshakeState | null = null;
      let learnedStatic: Uint8Array | undefined;
      let forged = 0;
      proxy = await startProxy(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);
      proxy.intercept = (m, dir) => {
        if (dir === 'up' && m[0] === C.ENROLL_INIT) {
          const init = decodeMessage(m) as EnrollInit;
          toDevice = new HandshakeState({ pattern: 'XXpsk3', initiator: false, prologue, s: lying, psk });
          toDevice.readMessage(init.noise);
          toRelay = new HandshakeState({ pattern: 'XXpsk3', initiator: true, prologue, s: generateKeyPair(), psk });
          const swapped = encodeEnrollInit(init.sender, init.claimId, toRelay.writeMessage());
          writeMacs(swapped, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, psk), null);
          return [swapped]; // the device's e replaced by the MITM's
        }
        if (dir === 'down' && m[0] === C.ENROLL_RESP && toRelay !== null && toDevice !== null) {
          const resp = decodeMessage(m) as EnrollResp;
          readResp(toRelay, m);
          learnedStatic = toRelay.remoteStatic(); // the MITM sees the real S_relay...
          forged++;
          return [enrollResp(toDevice, resp.sender, resp.receiver)]; // ...and re-encrypts it under its own e
        }
        return 'forward';
      };
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `icpt-mitm-swap-${transport}` });
      const outcome = never(dev.client.enroll(bundle));
      await waitFor(() => forged === 1, 2000, 'forged ENROLL_RESP delivered');
      await waitFor(() => dev!.client.stats.dropped >= 1, 2000, 'device dropped it');
      await settle(WATCH_MS);
      assert.equal(learnedStatic, relay.server.relayStatic);
      assert.not.ok(outcome.settled(), 'enrollment neither completed nor accepted the forgery');
      assert.not.ok(proxy.messages.some((x) => x.bytes[0] === C.ENROLL_FINISH), 'no ENROLL_FINISH');
      assert.is(dev.client.credentials, undefined);
      assert.is(relay.server.metrics.handshakes.enrolled, 0);
      assert.not.ok(relay.registry.claimById(bundle.claimId)!.used, 'claim still unused');
      assert.is(relay.registry.deviceByDid(dev.identity.did), undefined);
    } finally {
      await closeAll(dev, proxy, relay.server);
    }
  });

  test(`${transport}: sessions toward an impostor holding the stolen registry and admission key: no reply, no session, no DATA`, async () => {
    const relay = await startRelay({ label: `icpt-sess-imp-${transport}` });
    const imp = await impostorRelay(relay.admissionKey, `sess-${transport}`);
    let dev: AttackDevice | undefined;
    let direct: AttackDevice | undefined;
    const clock = new ManualClock();
    try {
      direct = await openDeviceAt(transport, relay.server.host, transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort, { label: `icpt-sess-imp-${transport}` });
      const creds = await within(direct.client.enroll(relay.claim()), 3000, 'enroll');
      await direct.close();
      imp.registry.addDevice(relay.registry.deviceByDid(direct.identity.did)!); // device_psk and all
      dev = await openDeviceAt(transport, imp.server.host, transport === 'udp' ? imp.server.udpPort : imp.server.tcpPort,
        { label: `icpt-sess-imp-${transport}`, identity: direct.identity, credentials: creds, clock });
      const connected = never(dev.client.connect());
      const sent = never(dev.client.send(new TextEncoder().encode('reading for the real relay only')));
      for (let i = 0; i < 3; i++) { // three attempts with fresh handshakes
        await waitFor(() => imp.server.metrics.drops.mac1 === i + 1, 2000, `initiation ${i + 1} refused`);
        clock.advance(C.REKEY_TIMEOUT + C.REKEY_TIMEOUT_JITTER);
      }
      await settle(50);
      // mac1 is keyed with the real S_relay: the impostor cannot even tell it from noise, and spends no DH on it.
      assert.is(imp.server.metrics.dhOperations, 0);
      assert.is(imp.server.metrics.handshakes.sessionInits, 0);
      assert.is(dev.client.stats.recordsReceived, 0);
      assert.is(dev.client.stats.sessions, 0);
      assert.not.ok(connected.settled());
      assert.not.ok(sent.settled());
      assert.is(imp.delivered.length, 0);
      assert.is(relay.delivered.length, 0);
      assert.is(dev.client.stats.recordsSent, 0, 'no record ever sealed');

      // Even with mac1 recomputed for it (the impostor knows S_relay and the admission key), the
      // impostor's own static key cannot open "es": it learns neither the device's identity nor the counter.
      const init = sessionInit(direct.identity, creds, 99n, 7);
      assert.ok(verifyMac1(init.message, SESSION_INIT_MAC1, mac1Key(relay.server.relayStatic, relay.admissionKey)));
      const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: false, prologue: C.PROLOGUE_SESSION, s: generateKeyPair() });
      assert.throws(() => hs.readMessageUntilStatic(init.message.subarray(8, SESSION_INIT_MAC1)), /decrypt/);
    } finally {
      await closeAll(dev, direct, imp.server, relay.server);
    }
  });

  test(`${transport}: a MITM swapping the ephemeral of SESSION_RESP or SESSION_INIT: refused both ways, no session, no DATA`, async () => {
    const relay = await startRelay({ label: `icpt-sess-swap-${transport}` });
    const clock = new ManualClock();
    let h: Awaited<ReturnType<typeof enrolledBehindProxy>> | undefined;
    try {
      h = await enrolledBehindProxy(relay, transport, `icpt-sess-swap-${transport}`, clock);
      const { dev, proxy, creds } = h;
      // 1. SESSION_RESP with the MITM's ephemeral in place of the relay's.
      let swappedResp = 0;
      proxy.intercept = (m, dir) => {
        if (dir === 'down' && m[0] === C.SESSION_RESP) {
          const x = m.slice();
          x.set(generateKeyPair().publicKey, 12);
          swappedResp++;
          return [x];
        }
        return 'forward';
      };
      const connected = never(dev.client.connect());
      const sent = never(dev.client.send(new TextEncoder().encode('must not be delivered')));
      await waitFor(() => swappedResp === 1 && dev.client.stats.dropped === 1, 2000, 'forged SESSION_RESP dropped');
      clock.advance(C.REKEY_TIMEOUT + C.REKEY_TIMEOUT_JITTER); // the device retries with a fresh handshake
      await waitFor(() => swappedResp === 2 && dev.client.stats.dropped === 2, 2000, 'second forged SESSION_RESP dropped');
      await settle(50);
      assert.is(dev.client.stats.sessions, 0);
      assert.is(dev.client.stats.recordsSent, 0, 'DATA never sealed under a MITM key');
      assert.is(relay.server.metrics.handshakes.sessionInits, 2, 'the relay did answer');
      assert.is(relay.server.metrics.handshakes.sessionsConfirmed, 0, 'but no session was ever confirmed');
      assert.not.ok(connected.settled());
      assert.not.ok(sent.settled());

      // 2. SESSION_INIT with the MITM's ephemeral and a recomputed mac1 (the admission key is known to the MITM).
      const dh0 = relay.server.metrics.dhOperations;
      const stateBefore = relayState(relay.server.channel, relay.registry);
      let swappedInit = 0;
      proxy.intercept = (m, dir) => {
        if (dir === 'up' && m[0] === C.SESSION_INIT) {
          const x = m.slice();
          x.set(generateKeyPair().publicKey, 8);
          writeMacs(x, SESSION_INIT_MAC1, mac1Key(creds.relayStatic, creds.admissionKey), null);
          swappedInit++;
          return [x];
        }
        return 'forward';
      };
      clock.advance(C.REKEY_TIMEOUT + C.REKEY_TIMEOUT_JITTER);
      await waitFor(() => relay.server.metrics.drops['handshake-auth'] === 1, 2000, 'swapped SESSION_INIT refused');
      await settle(50);
      assert.is(swappedInit, 1);
      assert.is(relay.server.metrics.dhOperations - dh0, 1, 'one DH ("es") and the static key does not decrypt');
      assert.is(proxy.messages.filter((m) => m.dir === 'down').length, 2, 'no reply to the swapped initiation');
      assert.is(relayState(relay.server.channel, relay.registry), stateBefore, 'counter, sessions and registry unchanged');
      assert.is(relay.delivered.length, 0);
      assert.not.ok(sent.settled());
    } finally {
      await closeAll(h?.dev, h?.proxy, relay.server);
    }
  });

  test(`${transport}: a MITM re-encrypting transport records under its own keys: every record refused, nothing delivered or ACKed`, async () => {
    const relay = await startRelay({ label: `icpt-rec-${transport}` });
    let h: Awaited<ReturnType<typeof enrolledBehindProxy>> | undefined;
    try {
      h = await enrolledBehindProxy(relay, transport, `icpt-rec-${transport}`);
      const { dev, proxy } = h;
      await within(dev.client.connect(), 3000, 'genuine session');
      await waitFor(() => relay.server.metrics.handshakes.sessionsConfirmed === 1, 2000, 'confirmed');
      const mitmKey = rng(`mitm-key-${transport}`).bytes(32);
      const cs = new CipherState();
      cs.initializeKey(mitmKey);
      let rewritten = 0;
      proxy.intercept = (m, dir) => {
        if (dir !== 'up' || m[0] !== C.TRANSPORT) return 'forward';
        const t = decodeMessage(m);
        if (typeof t === 'string' || t.type !== C.TRANSPORT) return 'forward';
        rewritten++;
        // Same index and counter, the MITM's own DATA under its own key.
        return [encodeTransport(t.receiver, t.counter, cs.encryptAt(t.counter, new Uint8Array(0), encodeFrames([{ kind: C.FRAME_DATA, data: new TextEncoder().encode('injected by the MITM') }])))];
      };
      const before = relayState(relay.server.channel, relay.registry);
      const recordsIn = relay.server.metrics.recordsIn;
      const sends = [0, 1, 2].map((i) => never(dev.client.send(new Uint8Array([i]))));
      await waitFor(() => relay.server.metrics.drops.aead === 3, 2000, 'three records refused');
      await settle(WATCH_MS);
      assert.is(rewritten, 3);
      assert.is(relay.server.metrics.recordsIn, recordsIn);
      assert.is(relay.delivered.length, 0);
      assert.ok(sends.every((s) => !s.settled()), 'nothing ACKed');
      assert.is(relayState(relay.server.channel, relay.registry), before, 'replay window and counters unchanged');
    } finally {
      await closeAll(h?.dev, h?.proxy, relay.server);
    }
  });
}

// ---- the WASM sensor core under the same attacks ----

for (const transport of ['udp', 'tcp'] as Transport[]) {
  const relayPort = (relay: Relay): number => (transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);

  test(`WASM device over ${transport}: a MITM with its own static key is refused (ERR_WRONG_RELAY, no ENROLL_FINISH); one replaying S_relay with its own ephemeral cannot authenticate`, async () => {
    if (!(await wasmDeviceAvailable())) return;
    const clock = new ManualClock();
    const relay = await startRelay({ label: `icpt-wasm-enroll-${transport}`, clock });
    let proxy: Proxy | undefined;
    let dev: WasmDevice | undefined;
    try {
      const bundle = relay.claim();
      const psk = claimPsk(bundle.claimToken);
      const prologue = concatBytes(C.PROLOGUE_ENROLL_PREFIX, bundle.claimId);
      const mitm = generateKeyPair();
      let mode: 'own' | 'swap' = 'own';
      let forged = 0;
      let toDevice: HandshakeState | null = null;
      let toRelay: HandshakeState | null = null;
      proxy = await startProxy(transport, relay.server.host, relayPort(relay));
      proxy.intercept = (m, dir) => {
        if (dir === 'up' && m[0] === C.ENROLL_INIT) {
          const init = decodeMessage(m) as EnrollInit;
          const s: KeyPair = mode === 'own' ? mitm : { publicKey: relay.server.relayStatic, privateKey: mitm.privateKey };
          toDevice = new HandshakeState({ pattern: 'XXpsk3', initiator: false, prologue, s, psk });
          toDevice.readMessage(init.noise);
          if (mode === 'own') { // answer the device itself
            forged++;
            proxy!.inject('down', enrollResp(toDevice, 0x4d49544d, init.sender));
            return 'drop';
          }
          toRelay = new HandshakeState({ pattern: 'XXpsk3', initiator: true, prologue, s: generateKeyPair(), psk });
          const swapped = encodeEnrollInit(init.sender, init.claimId, toRelay.writeMessage());
          writeMacs(swapped, ENROLL_INIT_MAC1, mac1Key(relay.server.relayStatic, psk), null);
          return [swapped];
        }
        if (dir === 'down' && m[0] === C.ENROLL_RESP && mode === 'swap' && toRelay !== null && toDevice !== null) {
          const resp = decodeMessage(m) as EnrollResp;
          readResp(toRelay, m);
          forged++;
          return [enrollResp(toDevice, resp.sender, resp.receiver)];
        }
        return 'forward';
      };
      dev = await openWasmDevice(clock, `icpt-enroll-${transport}`);
      dev.enroll(relay.identity.ed25519PublicKey, transport, proxy.port, bundle);
      await dev.run(() => dev!.status().wrongRelay >= 2, 'two refusals of the MITM\'s static key', { stepMs: 500 });
      let st = dev.status();
      assert.is(st.state, STATE.ENROLLING);
      assert.is(st.error, ERR.WRONG_RELAY);
      assert.is(relay.server.metrics.handshakes.enrollInits, 0, 'the real relay saw nothing');

      mode = 'swap';
      const dropped = st.dropped;
      const wrong = st.wrongRelay;
      const f0 = forged;
      await dev.run(() => forged >= f0 + 2 && dev!.status().dropped >= dropped + 2, 'two forged ENROLL_RESP dropped', { stepMs: 500 });
      st = dev.status();
      assert.is(st.state, STATE.ENROLLING);
      assert.is(st.wrongRelay, wrong, 'the presented static key is the pinned one: not a key mismatch, an authentication failure');
      assert.not.ok(proxy.messages.some((x) => x.bytes[0] === C.ENROLL_FINISH), 'no ENROLL_FINISH ever: the device identity never left it');
      assert.is(relay.server.metrics.handshakes.enrolled, 0);
      assert.not.ok(relay.registry.claimById(bundle.claimId)!.used);
      assert.is(dev.enrolled(), null);
    } finally {
      dev?.close();
      await closeAll(proxy, relay.server);
    }
  });

  test(`WASM device over ${transport}: swapped session ephemerals and re-encrypted records: no session, nothing delivered`, async () => {
    if (!(await wasmDeviceAvailable())) return;
    const clock = new ManualClock();
    const relay = await startRelay({ label: `icpt-wasm-sess-${transport}`, clock });
    let proxy: Proxy | undefined;
    let dev: WasmDevice | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, relayPort(relay));
      let swappedResp = 0;
      proxy.intercept = (m, dir) => { // SESSION_RESP with the MITM's ephemeral in place of the relay's
        if (dir !== 'down' || m[0] !== C.SESSION_RESP) return 'forward';
        const x = m.slice();
        x.set(generateKeyPair().publicKey, 12);
        swappedResp++;
        return [x];
      };
      dev = await openWasmDevice(clock, `icpt-sess-${transport}`);
      dev.enroll(relay.identity.ed25519PublicKey, transport, proxy.port, relay.claim());
      dev.send(new TextEncoder().encode('must not be delivered'));
      await dev.run(() => swappedResp >= 2 && dev!.status().dropped >= 2, 'two forged SESSION_RESP dropped', { stepMs: 500 });
      let st = dev.status();
      assert.is(st.state, STATE.CONNECTING);
      assert.is(st.sessions, 0);
      assert.is(st.recordsSent, 0, 'DATA never sealed under a MITM key');
      assert.is(relay.server.metrics.handshakes.enrolled, 1);
      assert.is(relay.server.metrics.handshakes.sessionsConfirmed, 0);
      assert.is(relay.delivered.length, 0);

      // SESSION_INIT with the MITM's ephemeral and a recomputed mac1 (the MITM knows the admission key).
      const adm = dev.enrolled()!.admissionKey;
      let swappedInit = 0;
      proxy.intercept = (m, dir) => {
        if (dir !== 'up' || m[0] !== C.SESSION_INIT) return 'forward';
        const x = m.slice();
        x.set(generateKeyPair().publicKey, 8);
        writeMacs(x, SESSION_INIT_MAC1, mac1Key(relay.server.relayStatic, adm), null);
        swappedInit++;
        return [x];
      };
      const auth0 = relay.server.metrics.drops['handshake-auth'];
      const down0 = proxy.messages.filter((m) => m.dir === 'down').length;
      await dev.run(() => relay.server.metrics.drops['handshake-auth'] >= auth0 + 2, 'two swapped SESSION_INIT refused', { stepMs: 500 });
      await settle(20);
      assert.ok(swappedInit >= 2);
      assert.is(proxy.messages.filter((m) => m.dir === 'down').length, down0, 'no reply to them');
      assert.is(dev.status().state, STATE.CONNECTING);

      // Let the session come up, then re-encrypt every record under the MITM's key.
      proxy.intercept = () => 'forward';
      await dev.run(() => dev!.status().state === STATE.ESTABLISHED && dev!.status().queued === 0, 'genuine session; the queued DATA delivered');
      assert.is(relay.delivered.length, 1);
      const cs = new CipherState();
      cs.initializeKey(rng(`mitm-wasm-${transport}`).bytes(32));
      proxy.intercept = (m, dir) => {
        if (dir !== 'up' || m[0] !== C.TRANSPORT) return 'forward';
        const t = decodeMessage(m);
        if (typeof t === 'string' || t.type !== C.TRANSPORT) return 'forward';
        return [encodeTransport(t.receiver, t.counter, cs.encryptAt(t.counter, new Uint8Array(0), encodeFrames([{ kind: C.FRAME_DATA, data: new TextEncoder().encode('injected by the MITM') }])))];
      };
      const aead0 = relay.server.metrics.drops.aead;
      dev.send(new TextEncoder().encode('also must not be delivered'));
      await dev.run(() => relay.server.metrics.drops.aead >= aead0 + 2, 'the record and its resend refused', { stepMs: 500 });
      st = dev.status();
      assert.is(relay.delivered.length, 1, 'nothing more delivered');
      assert.is(st.queued, 1, 'and nothing ACKed');
    } finally {
      dev?.close();
      await closeAll(proxy, relay.server);
    }
  });
}

test('note: device implementations covered', async () => {
  await noteWasmDevice('interception');
});

test.run();
