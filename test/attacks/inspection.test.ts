// Attack: passive inspection. An observer records every datagram and every TCP
// byte between a device and the relay through enrollment, two sessions (a
// rekey), DATA both ways and ACKs. The capture must hold no plaintext payload
// and no device identity — DID, Ed25519 key, X25519 static key — in any
// encoding (protocol §4: "the device's identity is only inside enc_s"), nor any
// secret the device holds. Run with the TypeScript reference device and with
// the WASM sensor core.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { base58Encode, type Identity } from '../../cloud/keys/did.ts';
import * as C from '../../cloud/protocol/constants.ts';
import { closeAll, startRelay, waitFor, within, type Relay } from '../channel/harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { noteWasmDevice, openDeviceAt, wasmDeviceAvailable, type AttackDevice, type Transport } from './support/devices.ts';
import { binaryNeedles, findLeaks, indexOf, textNeedles, type Needle } from './support/leaks.ts';
import { startProxy, type Proxy } from './support/proxy.ts';
import { openWasmDevice, STATE, type WasmDevice } from './support/wasm-device.ts';

const READINGS = 12;

/** A 64-byte reading: even ones carry an ASCII marker, odd ones a binary pattern that cannot occur in ciphertext by chance. */
function reading(i: number): Uint8Array {
  if (i % 2 === 1) return Uint8Array.from({ length: 64 }, (_, k) => (k * 37 + i * 11 + 5) & 0xff);
  const s = `SEALINK-MARKER-${String(i).padStart(4, '0')}:temp=21.${i}C;rh=40%;`;
  const out = new Uint8Array(64);
  out.set(new TextEncoder().encode(s.padEnd(64, '#').slice(0, 64)));
  return out;
}

const control = (): Uint8Array => new TextEncoder().encode('SEALINK-CONTROL-MARKER: open valve 3, set rate 10 s');

interface Secrets { devicePsk: Uint8Array; admissionKey: Uint8Array; claimToken: Uint8Array }

/** The capture (every chunk, and every whole message) holds none of the device's identity, secrets or plaintexts. */
function assertClean(relay: Relay, proxy: Proxy, id: Identity, secrets: Secrets, sent: Uint8Array[], claimId: Uint8Array): void {
  const types = new Set(proxy.messages.map((m) => m.bytes[0]));
  for (const t of [C.ENROLL_INIT, C.ENROLL_RESP, C.ENROLL_FINISH, C.SESSION_INIT, C.SESSION_RESP, C.TRANSPORT]) assert.ok(types.has(t), `type ${t} captured`);
  assert.ok(proxy.messages.filter((m) => m.bytes[0] === C.SESSION_INIT).length >= 2, 'two sessions captured');
  const capture = Buffer.concat(proxy.wire.map((w) => w.bytes));
  const needles: Needle[] = [
    ...textNeedles('device DID', id.did),
    ...textNeedles('device DID multibase', id.did.slice('did:key:'.length)),
    ...binaryNeedles('device DID multicodec key', Uint8Array.from([0xed, 0x01, ...id.ed25519PublicKey]), base58Encode),
    ...binaryNeedles('device Ed25519 public key', id.ed25519PublicKey, base58Encode),
    ...binaryNeedles('device X25519 static key', id.x25519PublicKey, base58Encode),
    ...binaryNeedles('device seed', id.seed),
    ...binaryNeedles('device X25519 secret', id.x25519Secret),
    ...binaryNeedles('device_psk', secrets.devicePsk),
    ...binaryNeedles('admission key', secrets.admissionKey),
    ...binaryNeedles('claim token', secrets.claimToken),
    // The relay network key is public (claim bundles carry it), but the wire does not need it either:
    // XX sends it encrypted, IK not at all.
    ...binaryNeedles('relay X25519 static key', relay.server.relayStatic, base58Encode),
    ...binaryNeedles('relay Ed25519 key', relay.identity.ed25519PublicKey, base58Encode),
    ...sent.flatMap((r, i) => (i % 2 === 0 ? textNeedles(`reading ${i}`, new TextDecoder().decode(r)) : binaryNeedles(`reading ${i}`, r))),
    ...textNeedles('control', new TextDecoder().decode(control())),
  ];
  assert.equal(findLeaks(capture, needles), [], 'nothing of the above on the wire');
  for (const m of proxy.messages) assert.equal(findLeaks(m.bytes, needles), [], 'nor in any single message');

  // Positive controls: the search sees what is there. The claim id is public by design (§3).
  assert.ok(indexOf(capture, claimId) >= 0, 'claim_id (public) is visible in ENROLL_INIT');
  const planted = Buffer.concat([capture, Buffer.from(id.did), Buffer.from(id.x25519PublicKey.subarray(5, 17)), sent[0].subarray(3, 20)]);
  const hits = findLeaks(planted, needles).join('\n');
  assert.match(hits, 'device DID as ascii');
  assert.match(hits, 'device X25519 static key as raw[8..16]');
  assert.match(hits, 'reading 0 as ascii[4..]');
}

for (const transport of ['udp', 'tcp'] as Transport[]) {
  const relayPort = (relay: Relay): number => (transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort);

  test(`TS device over ${transport}: the capture holds no plaintext, no device identity, no secret`, async () => {
    const relay = await startRelay({ label: `inspection-${transport}` });
    let proxy: Proxy | undefined;
    let dev: AttackDevice | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, relayPort(relay));
      dev = await openDeviceAt(transport, proxy.host, proxy.port, { label: `inspection-${transport}` });
      const bundle = relay.claim();
      const creds = await within(dev.client.enroll(bundle), 3000, 'enroll');
      await within(dev.client.connect(), 3000, 'connect');
      const sent: Uint8Array[] = [];
      for (let i = 0; i < READINGS; i++) {
        sent.push(reading(i));
        await within(dev.client.send(sent[i]), 2000, `reading ${i}`);
        if (i === READINGS / 2) { // a second session with fresh keys half way
          const before = dev.client.sessionIndex;
          dev.client.rekey();
          await waitFor(() => dev!.client.sessionIndex !== before, 3000, 'rekey');
        }
      }
      assert.ok(relay.server.sendData(dev.identity.did, control()));
      await waitFor(() => dev!.received.length === 1, 2000, 'control delivered');

      // The traffic really went through the proxy and was delivered.
      assert.equal(relay.delivered.map((d) => d.bytes), sent);
      assert.ok(relay.delivered.every((d) => d.did === dev!.identity.did));
      assert.equal(dev.received[0], control());
      assertClean(relay, proxy, dev.identity, { ...creds, claimToken: bundle.claimToken }, sent, bundle.claimId);
    } finally {
      await closeAll(dev, proxy, relay.server);
    }
  });

  test(`WASM device over ${transport}: the capture holds no plaintext, no device identity, no secret`, async () => {
    if (!(await wasmDeviceAvailable())) return;
    const clock = new ManualClock();
    const relay = await startRelay({ label: `inspection-wasm-${transport}`, clock });
    let proxy: Proxy | undefined;
    let dev: WasmDevice | undefined;
    try {
      proxy = await startProxy(transport, relay.server.host, relayPort(relay));
      dev = await openWasmDevice(clock, `inspection-${transport}`);
      const bundle = relay.claim();
      dev.enroll(relay.identity.ed25519PublicKey, transport, proxy.port, bundle);
      await dev.run(() => dev!.status().state === STATE.ESTABLISHED && relay.server.metrics.handshakes.sessionsConfirmed === 1, 'enrolled and connected');
      const sent: Uint8Array[] = [];
      const half = async (from: number): Promise<void> => {
        for (let i = from; i < from + READINGS / 2; i++) { sent.push(reading(i)); dev!.send(reading(i)); }
        await dev!.run(() => dev!.status().queued === 0, 'readings acknowledged');
      };
      await half(0);
      const sessions = dev.status().sessions;
      await dev.run(() => dev!.status().sessions > sessions, 'the timed rekey', { stepMs: 1000, maxMs: 200_000 });
      await half(READINGS / 2);
      const id = dev.identity();
      assert.ok(relay.server.sendData(id.did, control()));
      await dev.run(() => dev!.status().dataReceived === 1, 'control received');

      assert.equal(relay.delivered.map((d) => d.bytes), sent);
      assert.ok(relay.delivered.every((d) => d.did === id.did), 'registered under the DID of its stored seed');
      const enrolled = dev.enrolled()!;
      assert.equal(enrolled.relayStatic, relay.server.relayStatic);
      assertClean(relay, proxy, id, { devicePsk: enrolled.devicePsk, admissionKey: enrolled.admissionKey, claimToken: bundle.claimToken }, sent, bundle.claimId);
    } finally {
      dev?.close();
      await closeAll(proxy, relay.server);
    }
  });
}

test('note: device implementations covered', async () => {
  await noteWasmDevice('inspection');
});

test.run();
