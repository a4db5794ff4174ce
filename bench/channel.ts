// `tsx bench/channel.ts [--quick]`: throughput of the relay's channel layer.
//   1. relay CPU per SESSION_INIT (in-process, precomputed initiations, fake endpoint)
//   2. relay CPU per TRANSPORT record with one DATA frame (in-process, ACKs batched)
//   3. end to end on 127.0.0.1: handshakes/s (device clients in this same process)
//   4. end to end on 127.0.0.1: DATA records/s (one device, 256 in flight), UDP and TCP
// The numbers are for reading, not asserting. Limits (load threshold, per-source
// rates) are lifted so raw capacity is measured, not the DoS policy.

import { loadavg } from 'node:os';
import { DeviceClient, openTcpLink, openUdpLink } from '../cloud/device/index.ts';
import { identityFromSeed } from '../cloud/keys/did.ts';
import { HandshakeState } from '../cloud/noise/handshake-state.ts';
import { dh, generateKeyPair, keyPairFromSecret, publicKeyObject } from '../cloud/noise/crypto.ts';
import { u64Bytes } from '../cloud/protocol/bytes.ts';
import * as C from '../cloud/protocol/constants.ts';
import { encodeFrames } from '../cloud/protocol/frames.ts';
import { writeMacs } from '../cloud/protocol/macs.ts';
import { decodeMessage, encodeSessionInit, encodeTransport, SESSION_INIT_MAC1, type SessionResp } from '../cloud/protocol/messages.ts';
import { Channel, createClaim, MemoryRegistry, startChannelServer, type Endpoint } from '../cloud/relay/index.ts';
import { randomBytes } from 'node:crypto';

const QUICK = process.argv.includes('--quick');
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const OPEN = { loadThreshold: Infinity, handshakeRatePerSource: 1e9, handshakeBurstPerSource: 1e9 };
const until = async (cond: () => boolean): Promise<void> => { while (!cond()) await new Promise((r) => setImmediate(r)); };
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

async function relayHandshakes(n: number): Promise<number> {
  const relayId = identityFromSeed(rnd(32));
  const admissionKey = rnd(32);
  const registry = new MemoryRegistry();
  const ch = new Channel({ staticSecret: relayId.x25519Secret, admissionKey, registry, limits: OPEN });
  const inits: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const dev = identityFromSeed(rnd(32));
    const psk = rnd(32);
    registry.addDevice({ did: dev.did, staticKey: dev.x25519PublicKey, ed25519PublicKey: dev.ed25519PublicKey, devicePsk: psk, lastCounter: 0n, revoked: false, owner: 'o' });
    const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: keyPairFromSecret(dev.x25519Secret), rs: ch.relayStatic, psk });
    const m = encodeSessionInit(i, hs.writeMessage(u64Bytes(1)));
    writeMacs(m, SESSION_INIT_MAC1, ch.sessionMac1Key, null);
    inits.push(m);
  }
  let replies = 0;
  const ep: Endpoint = { kind: 'udp', address: '127.0.0.2', port: 9, send: () => { replies++; }, close: () => {} };
  const t0 = process.hrtime.bigint();
  for (const m of inits) ch.handle(m, ep);
  await until(() => replies === n);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  ch.close();
  return n / s;
}

async function relayRecords(n: number): Promise<number> {
  const relayId = identityFromSeed(rnd(32));
  const admissionKey = rnd(32);
  const registry = new MemoryRegistry();
  let delivered = 0;
  const ch = new Channel({ staticSecret: relayId.x25519Secret, admissionKey, registry, limits: OPEN, onData: () => { delivered++; } });
  const dev = identityFromSeed(rnd(32));
  const psk = rnd(32);
  registry.addDevice({ did: dev.did, staticKey: dev.x25519PublicKey, ed25519PublicKey: dev.ed25519PublicKey, devicePsk: psk, lastCounter: 0n, revoked: false, owner: 'o' });
  const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION, s: keyPairFromSecret(dev.x25519Secret), rs: ch.relayStatic, psk });
  const m = encodeSessionInit(1, hs.writeMessage(u64Bytes(1)));
  writeMacs(m, SESSION_INIT_MAC1, ch.sessionMac1Key, null);
  let resp: Uint8Array | null = null;
  const ep: Endpoint = { kind: 'udp', address: '127.0.0.2', port: 9, send: (x) => { resp ??= x; }, close: () => {} };
  ch.handle(m, ep);
  await until(() => resp !== null);
  const r = decodeMessage(resp!) as SessionResp;
  hs.readMessage(r.noise);
  const { send } = hs.split();
  const payload = encodeFrames([{ kind: C.FRAME_DATA, data: rnd(64) }]);
  const records = Array.from({ length: n }, (_, i) => encodeTransport(r.sender, i, send.encryptAt(i, new Uint8Array(0), payload)));
  const t0 = process.hrtime.bigint();
  for (const rec of records) ch.handle(rec, ep);
  await new Promise((res) => setImmediate(res)); // ACK flush
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (delivered !== n) throw new Error(`delivered ${delivered}/${n}`);
  ch.close();
  return n / s;
}

async function loopbackHandshakes(n: number, transport: 'udp' | 'tcp'): Promise<number> {
  const relayId = identityFromSeed(rnd(32));
  const registry = new MemoryRegistry();
  const server = await startChannelServer({ staticSecret: relayId.x25519Secret, admissionKey: rnd(32), registry, limits: OPEN });
  const clients: DeviceClient[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const link = transport === 'udp' ? await openUdpLink(server.host, server.udpPort) : await openTcpLink(server.host, server.tcpPort);
      const c = new DeviceClient({ identity: identityFromSeed(rnd(32)), link });
      const claim = createClaim('o', Date.now());
      registry.addClaim(claim.record);
      await c.enroll({ relayStatic: server.relayStatic, claimId: claim.claimId, claimToken: claim.claimToken });
      clients.push(c);
    }
    const t0 = process.hrtime.bigint();
    await Promise.all(clients.map((c) => c.connect()));
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    for (const c of clients) await c.close();
    await server.close();
  }
}

async function loopbackRecords(n: number, transport: 'udp' | 'tcp'): Promise<number> {
  const relayId = identityFromSeed(rnd(32));
  const registry = new MemoryRegistry();
  let delivered = 0;
  const server = await startChannelServer({ staticSecret: relayId.x25519Secret, admissionKey: rnd(32), registry, limits: OPEN, onData: () => { delivered++; } });
  const link = transport === 'udp' ? await openUdpLink(server.host, server.udpPort) : await openTcpLink(server.host, server.tcpPort);
  const c = new DeviceClient({ identity: identityFromSeed(rnd(32)), link, limits: { retransmitTimeout: 60_000 } });
  try {
    const claim = createClaim('o', Date.now());
    registry.addClaim(claim.record);
    await c.enroll({ relayStatic: server.relayStatic, claimId: claim.claimId, claimToken: claim.claimToken });
    await c.connect();
    const data = rnd(64);
    const WINDOW = 256;
    let sent = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: WINDOW }, async () => {
      while (sent < n) { sent++; await c.send(data); }
    }));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (delivered < n) throw new Error(`delivered ${delivered}/${n}`);
    return n / s;
  } finally {
    await c.close();
    await server.close();
  }
}

const H = QUICK ? 200 : 2000;
const R = QUICK ? 5000 : 50000;
console.log(`node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await relayHandshakes(50); await relayRecords(1000); // warm-up
{ // reference: this machine's speed right now (DESIGN.md: ~42 us per DH on an idle core)
  const a = generateKeyPair(); const b = publicKeyObject(generateKeyPair().publicKey);
  const n = QUICK ? 500 : 3000; const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) dh(a, b);
  console.log(`reference: node:crypto X25519 DH ${(Number(process.hrtime.bigint() - t0) / 1e3 / n).toFixed(1)} us`);
}
console.log(`relay CPU, SESSION_INIT -> SESSION_RESP (in-process): ${fmt(await relayHandshakes(H))} handshakes/s`);
console.log(`relay CPU, TRANSPORT with 64 B DATA, ACKed (in-process): ${fmt(await relayRecords(R))} records/s`);
for (const t of ['udp', 'tcp'] as const) {
  console.log(`loopback ${t}: handshakes (device + relay in one process): ${fmt(await loopbackHandshakes(QUICK ? 50 : 300, t))} handshakes/s`);
  console.log(`loopback ${t}: DATA records 64 B, each ACKed, 256 in flight: ${fmt(await loopbackRecords(QUICK ? 5000 : 30000, t))} records/s`);
}
