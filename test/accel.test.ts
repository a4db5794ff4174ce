// The board's optional accelerators (hal/contract.json HAL_CAP_*) change
// nothing but speed: the release core on a simulated board with node:crypto
// accelerators gives the same bytes as with none, for every primitive that
// uses one (firmware/crypto/accel.ts) and for a whole device session against
// the relay; the accelerators were really called; an accelerator that fails
// falls back to the core's own code with the same result.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { loadCore, CoreError, type Core } from '../hal/node/core.ts';
import { SimHal, type SimOptions } from '../hal/node/sim.ts';
import { HAL_EIO, HAL_ENOTSUP } from '../hal/node/hal.generated.ts';
import { rng, type Prng } from './support/rng.ts';
import { assertClean } from './support/report.ts';
import { checkWycheproofX25519, checkRfc7748File } from './support/checks/x25519.ts';
import { checkWycheproofAead, checkRfc8439Aead } from './support/checks/aead.ts';
import { checkWycheproofHmac } from './support/checks/mac.ts';
import { toHex } from './support/hex.ts';
import {
  ManualClock, STATE, claimBundle, put, runUntil, startTestRelay, status, type Exports, type TestDevice,
} from './device/support.ts';

const SMALL_ORDER_U = [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))];

async function coreOn(hal: SimHal): Promise<Core> {
  return loadCore({ hal });
}

/** X25519 through the binding; 'LOW_ORDER' when the core reports an all-zero result. */
function dh(core: Core, s: Uint8Array, u: Uint8Array): string {
  try {
    return toHex(core.x25519(s, u));
  } catch (e) {
    if (e instanceof CoreError && e.code === 'LOW_ORDER') return 'LOW_ORDER';
    throw e;
  }
}

/** @noble's X25519, which throws where the result is all zero (u of small order: here p - 1, p, p + 1). */
function nobleDh(s: Uint8Array, u: Uint8Array): string {
  try {
    return toHex(nobleX25519.scalarMult(s, u));
  } catch {
    return 'LOW_ORDER';
  }
}

/** A u-coordinate of each kind the ladder must treat alike: random, bit 255 set, >= p. */
function someU(r: Prng, n: number): Uint8Array {
  const u = r.bytes(32);
  if (n % 3 === 0) u[31] |= 0x80; // bit 255 is ignored (RFC 7748 §5)
  if (n % 7 === 1) { u.fill(0xff); u[0] = 0xed + r.int(18); u[31] = 0x7f; } // p .. p + 17: reduced mod p
  return u;
}

// ---- primitives ----

const prim = suite('accelerators on = off, per primitive (release core, SimHal with node:crypto)');

prim('X25519 and X25519 base: same bytes, same low-order verdict; the accelerator did the work', async () => {
  const on = new SimHal({ accel: true });
  const [a, b] = await Promise.all([coreOn(on), coreOn(new SimHal())]);
  const r = rng('accel-x25519');
  const N = 64;
  for (let n = 0; n < N; n++) {
    const s = r.bytes(32);
    const u = someU(r, n);
    const want = nobleDh(s, u);
    assert.is(dh(a, s, u), want, `x25519 case ${n} (accelerated)`);
    assert.is(dh(b, s, u), want, `x25519 case ${n} (software)`);
    const pub = toHex(nobleX25519.getPublicKey(s));
    assert.is(toHex(a.x25519Base(s)), pub, `x25519Base case ${n} (accelerated)`);
    assert.is(toHex(b.x25519Base(s)), pub, `x25519Base case ${n} (software)`);
  }
  for (const u of SMALL_ORDER_U) {
    const s = r.bytes(32);
    assert.is(dh(a, s, u), 'LOW_ORDER');
    assert.is(dh(b, s, u), 'LOW_ORDER');
  }
  assert.is(on.accelCalls.x25519, 2 * N + SMALL_ORDER_U.length, 'every X25519 went to the accelerator');
});

prim('ChaCha20-Poly1305 seal/open, lengths 0..1024: same bytes, same verdicts; the accelerator did the work', async () => {
  const on = new SimHal({ accel: true });
  const off = new SimHal();
  const [a, b] = await Promise.all([coreOn(on), coreOn(off)]);
  const r = rng('accel-aead');
  const MAX = 1024;
  for (let len = 0; len <= MAX; len++) {
    const key = r.bytes(32);
    const nonce = r.bytes(12);
    const aad = r.bytes(len % 3 === 0 ? 0 : r.int(80));
    const pt = r.bytes(len);
    const sealed = a.aeadSeal(key, nonce, aad, pt);
    assert.is(toHex(sealed), toHex(b.aeadSeal(key, nonce, aad, pt)), `seal len ${len}`);
    if (len % 64 === 0) assert.is(toHex(sealed), toHex(chacha20poly1305(key, nonce, aad).encrypt(pt)), `seal len ${len} (@noble)`);
    assert.is(toHex(a.aeadOpen(key, nonce, aad, sealed)!), toHex(pt), `open len ${len} (accelerated)`);
    assert.is(toHex(b.aeadOpen(key, nonce, aad, sealed)!), toHex(pt), `open len ${len} (software)`);
    const forged = sealed.slice();
    forged[r.int(forged.length)] ^= 1 << r.int(8);
    assert.is(a.aeadOpen(key, nonce, aad, forged), null, `forgery len ${len} (accelerated)`);
    assert.is(b.aeadOpen(key, nonce, aad, forged), null, `forgery len ${len} (software)`);
  }
  assert.is(on.accelCalls.aeadSeal, MAX + 1);
  assert.is(on.accelCalls.aeadOpen, 2 * (MAX + 1));
  assert.equal(off.accelCalls, { x25519: 0, aeadSeal: 0, aeadOpen: 0, sha256: 0, aes256Block: 0 }, 'no capability, never asked');
});

prim('SHA-256 one-shot (HMAC key hashing), lengths 0..1024: same MACs; the accelerator hashed every long key', async () => {
  // hal_accel_sha256 takes a whole message, so the core uses it for one-shot
  // hashes only (firmware/crypto/sha256.ts). Of the release exports, HMAC
  // reaches it: a key longer than the 64-byte block is hashed first (RFC 2104).
  // The streaming crypto_sha256_* exports stay in software and must not call it.
  const on = new SimHal({ accel: true });
  const [a, b] = await Promise.all([coreOn(on), coreOn(new SimHal())]);
  const r = rng('accel-sha256');
  const MAX = 1024;
  for (let len = 0; len <= MAX; len++) {
    const key = r.bytes(len);
    const msg = r.bytes(r.int(100));
    const want = toHex(hmac(sha256, key, msg));
    assert.is(toHex(a.hmacSha256(key, msg)), want, `hmac key len ${len} (accelerated)`);
    assert.is(toHex(b.hmacSha256(key, msg)), want, `hmac key len ${len} (software)`);
    const m = r.bytes(len);
    assert.is(toHex(a.sha256(m)), toHex(b.sha256(m)), `streaming sha256 len ${len}`);
  }
  assert.is(on.accelCalls.sha256, MAX - 64, 'one accelerated hash per key of 65..1024 bytes, none for streams');
  // HKDF-Extract keys HMAC with the salt: a long salt goes the same way.
  const ikm = r.bytes(32), salt = r.bytes(200), info = r.bytes(10);
  assert.is(toHex(a.hkdfSha256(ikm, salt, info, 80)), toHex(b.hkdfSha256(ikm, salt, info, 80)));
  assert.is(on.accelCalls.sha256, MAX - 64 + 1);
});

prim('the capability query is asked once and cached; primitives without an accelerator are unchanged', async () => {
  let asked = 0;
  class Counting extends SimHal {
    override hal_capabilities(): number { asked++; return super.hal_capabilities(); }
  }
  const on = new Counting({ accel: { x25519: true } });
  const [a, b] = await Promise.all([coreOn(on), coreOn(new SimHal())]);
  const r = rng('accel-caps');
  for (let n = 0; n < 8; n++) {
    const s = r.bytes(32), key = r.bytes(32), nonce = r.bytes(12), m = r.bytes(100);
    assert.is(toHex(a.x25519Base(s)), toHex(b.x25519Base(s)));
    assert.is(toHex(a.aeadSeal(key, nonce, m, m)), toHex(b.aeadSeal(key, nonce, m, m)));
    assert.is(toHex(a.hmacSha256(m, m)), toHex(b.hmacSha256(m, m)));
    assert.is(toHex(a.ed25519Sign(s, m)), toHex(b.ed25519Sign(s, m)));
    assert.is(toHex(a.ed25519ToX25519Secret(s)), toHex(b.ed25519ToX25519Secret(s)));
  }
  assert.is(asked, 1, 'hal_capabilities asked once');
  assert.is(on.accelCalls.x25519, 8);
  assert.is(on.accelCalls.aeadSeal + on.accelCalls.sha256, 0, 'capabilities not reported are never called');
});

prim('published vectors through the accelerated core: Wycheproof X25519, ChaCha20-Poly1305, HMAC; RFC 7748, RFC 8439', async () => {
  const hal = new SimHal({ accel: true });
  const p = { name: 'core with accelerators', ...(await coreOn(hal)) };
  assertClean(checkWycheproofX25519(p));
  assertClean(checkRfc7748File(p));
  assertClean(checkWycheproofAead(p));
  assertClean(checkRfc8439Aead(p));
  assertClean(checkWycheproofHmac(p));
  const c = hal.accelCalls;
  assert.ok(c.x25519 > 500 && c.aeadSeal > 0 && c.aeadOpen > 0 && c.sha256 > 0, JSON.stringify(c));
});

// ---- failing accelerators ----

const fail = suite('a failing accelerator falls back to the core\'s own code');

/** A board that reports every accelerator and whose accelerators scribble on their output and fail. */
class FailingHal extends SimHal {
  readonly failures = { x25519: 0, sha256: 0, aeadSeal: 0, aeadOpen: 0 };
  constructor(private readonly code: number, options: SimOptions = {}) { super({ ...options, accel: true }); }
  override hal_accel_x25519(out: Uint8Array): number { this.failures.x25519++; out.fill(0xaa); return this.code; }
  override hal_accel_sha256(_data: Uint8Array, out: Uint8Array): number { this.failures.sha256++; out.fill(0xaa); return this.code; }
  // The contract lets an AEAD accelerator fail only before it writes out (in-place seal), so these do not scribble.
  override hal_accel_aead_seal(): number { this.failures.aeadSeal++; return this.code; }
  override hal_accel_aead_open(): number { this.failures.aeadOpen++; return this.code; }
}

async function sameAsSoftware(hal: FailingHal, label: string): Promise<void> {
  const [a, b] = await Promise.all([coreOn(hal), coreOn(new SimHal())]);
  const r = rng(label);
  for (let n = 0; n < 6; n++) {
    const s = r.bytes(32), u = someU(r, n), key = r.bytes(32), nonce = r.bytes(12);
    const aad = r.bytes(n * 5), pt = r.bytes(n * 100), longKey = r.bytes(65 + n * 50);
    assert.is(dh(a, s, u), dh(b, s, u), `x25519 ${n}`);
    assert.is(toHex(a.x25519Base(s)), toHex(b.x25519Base(s)), `x25519Base ${n}`);
    const sealed = a.aeadSeal(key, nonce, aad, pt);
    assert.is(toHex(sealed), toHex(b.aeadSeal(key, nonce, aad, pt)), `seal ${n}`);
    assert.is(toHex(a.aeadOpen(key, nonce, aad, sealed)!), toHex(pt), `open ${n}`);
    sealed[0] ^= 1;
    assert.is(a.aeadOpen(key, nonce, aad, sealed), null, `forgery ${n}`);
    assert.is(toHex(a.hmacSha256(longKey, pt)), toHex(b.hmacSha256(longKey, pt)), `hmac long key ${n}`);
  }
}

fail('HAL_EIO from every accelerator: same results as software, and the core keeps asking (transient)', async () => {
  const hal = new FailingHal(HAL_EIO);
  await sameAsSoftware(hal, 'accel-fail-eio');
  assert.equal(hal.failures, { x25519: 12, sha256: 6, aeadSeal: 6, aeadOpen: 12 });
});

fail('HAL_ENOTSUP despite the capability bit: same results, and the core stops asking that accelerator', async () => {
  const hal = new FailingHal(HAL_ENOTSUP);
  await sameAsSoftware(hal, 'accel-fail-enotsup');
  // Seal and open share one capability bit: after the seal's ENOTSUP, open is not asked either.
  assert.equal(hal.failures, { x25519: 1, sha256: 1, aeadSeal: 1, aeadOpen: 0 });
});

fail('a negative hal_capabilities() means no accelerators', async () => {
  class Broken extends SimHal {
    override hal_capabilities(): number { return HAL_EIO; }
  }
  const hal = new Broken({ accel: true });
  const a = await coreOn(hal);
  const r = rng('accel-caps-negative');
  const s = r.bytes(32);
  assert.is(toHex(a.x25519Base(s)), toHex(nobleX25519.getPublicKey(s)));
  const key = r.bytes(100), msg = r.bytes(3);
  assert.is(toHex(a.hmacSha256(key, msg)), toHex(hmac(sha256, key, msg)));
  assert.equal(hal.accelCalls, { x25519: 0, aeadSeal: 0, aeadOpen: 0, sha256: 0, aes256Block: 0 });
});

// ---- a whole device session ----

const e2e = suite('device session with accelerators on = off (release core <-> TS relay)');

/** One call into the core, with the device clock (ms since boot) it ran at. */
type Event =
  | { t: number; op: 'init' | 'step' }
  | { t: number; op: 'enroll' | 'send'; bytes: Uint8Array }
  | { t: number; op: 'rx'; handle: number; bytes: Uint8Array };

interface Run { sent: string[]; delivered: string[]; hal: SimHal; events: Event[] }

/** A SimHal that records what the device sends, and every receive it delivers to the core. */
class RecordingHal extends SimHal {
  readonly sent: string[] = [];
  constructor(options: SimOptions, private readonly events: Event[], private readonly now: () => number) { super(options); }
  override hal_net_send(handle: number, data: Uint8Array): number {
    this.sent.push(toHex(data));
    return super.hal_net_send(handle, data);
  }
  override attach(x: WebAssembly.Exports): void {
    const core = x as unknown as Exports;
    super.attach({
      ...core,
      fw_on_packet: (handle: number, len: number) => {
        const bytes = new Uint8Array(core.memory.buffer, core.fw_rx_ptr(), len).slice();
        this.events.push({ t: this.now(), op: 'rx', handle, bytes });
        return core.fw_on_packet(handle, len);
      },
    } as unknown as WebAssembly.Exports);
  }
}

/**
 * Enrolls a release core with the relay over real sockets, opens a session and
 * streams readings until acknowledged, recording every call into the core
 * (with its clock) and everything the device sent.
 */
async function liveSession(transport: 'udp' | 'tcp', accel: boolean): Promise<Run> {
  const clock = new ManualClock();
  const relay = await startTestRelay(clock, `accel-e2e-${transport}-${accel}`);
  const r = rng(`accel-e2e-device-${transport}`);
  const boot = clock.now();
  const now = () => clock.now() - boot;
  const events: Event[] = [];
  const hal = new RecordingHal({
    clock: { now }, random: (out) => out.set(r.bytes(out.length)), network: true, log: () => {}, accel,
  }, events, now);
  const core = await loadCore({ hal });
  const raw = core.exports as unknown as Exports;
  const x: Exports = { ...raw, fw_step: () => { events.push({ t: now(), op: 'step' }); return raw.fw_step(); } };
  const call = (op: 'enroll' | 'send', bytes: Uint8Array) => {
    events.push({ t: now(), op, bytes });
    put(x, 0, bytes);
    return op === 'enroll' ? x.fw_enroll(0, bytes.length) : x.fw_send(0, bytes.length);
  };
  const d: TestDevice = {
    x, hal, storage: new Map(), status: () => status(x),
    send(text) { assert.is(call('send', new TextEncoder().encode(text)), 0); },
    reading() { throw new Error('this test replays fw_send traffic only'); },
    close: () => hal.close(),
  };
  try {
    events.push({ t: now(), op: 'init' });
    assert.is(x.fw_init(), 0);
    const { claimId, claimToken } = relay.claim();
    const port = transport === 'udp' ? relay.server.udpPort : relay.server.tcpPort;
    assert.is(call('enroll', claimBundle(relay.identity.ed25519PublicKey, transport, port, claimId, claimToken)), 0);
    await runUntil(clock, [d], () => d.status().state === STATE.ESTABLISHED, { what: 'enrollment and first session' });
    for (let i = 0; i < 12; i++) d.send(`accel ${transport} reading ${i}`);
    await runUntil(clock, [d], () => d.status().queued === 0, { what: 'all DATA acknowledged' });
    assert.is(d.status().state, STATE.ESTABLISHED);
    return { sent: hal.sent, delivered: [...relay.delivered].sort(), hal, events };
  } finally {
    d.close();
    await relay.server.close();
  }
}

/**
 * Replays a recorded session into a fresh core: the same calls at the same
 * clock, the same random stream, the relay's recorded bytes delivered where
 * they arrived. The relay's own ephemerals are fresh per run (node:crypto), so
 * two live runs cannot be compared byte for byte; a replay can: a device whose
 * results differ in any bit sends other bytes or fails to open the relay's.
 */
async function replay(transport: 'udp' | 'tcp', events: Event[], accel: boolean): Promise<{ sent: string[]; hal: SimHal; x: Exports }> {
  const r = rng(`accel-e2e-device-${transport}`);
  let t = 0;
  const sent: string[] = [];
  let handles = 0;
  class Scripted extends SimHal {
    // The network is the recording: sockets are handle numbers, sends are collected.
    override hal_net_open(): number { return handles++; }
    override hal_net_send(_handle: number, data: Uint8Array): number { sent.push(toHex(data)); return data.length; }
    override hal_net_close(): number { return 0; }
  }
  const hal = new Scripted({ clock: { now: () => t }, random: (out) => out.set(r.bytes(out.length)), log: () => {}, accel });
  const x = (await loadCore({ hal })).exports as unknown as Exports;
  for (const e of events) {
    t = e.t;
    switch (e.op) {
      case 'init': assert.is(x.fw_init(), 0); break;
      case 'step': x.fw_step(); break;
      case 'rx':
        assert.ok(e.bytes.length <= x.fw_rx_bytes(), 'a recorded receive fits where the live core had room');
        new Uint8Array(x.memory.buffer, x.fw_rx_ptr(), e.bytes.length).set(e.bytes);
        x.fw_on_packet(e.handle, e.bytes.length);
        break;
      case 'enroll':
      case 'send':
        put(x, 0, e.bytes);
        assert.is(e.op === 'enroll' ? x.fw_enroll(0, e.bytes.length) : x.fw_send(0, e.bytes.length), 0);
        break;
    }
  }
  return { sent, hal, x };
}

const NO_CALLS = { x25519: 0, aeadSeal: 0, aeadOpen: 0, sha256: 0, aes256Block: 0 };

for (const transport of ['udp', 'tcp'] as const) {
  e2e(`${transport.toUpperCase()}: a live session with accelerators succeeds; replayed, on and off send identical bytes`, async () => {
    // Live, accelerators on: enrollment, session, every reading acknowledged.
    const on = await liveSession(transport, true);
    assert.equal(on.delivered, Array.from({ length: 12 }, (_, i) => `accel ${transport} reading ${i}`).sort());
    const c = on.hal.accelCalls;
    assert.ok(c.x25519 > 0 && c.aeadSeal > 0 && c.aeadOpen > 0 && c.sha256 > 0, `accelerators used: ${JSON.stringify(c)}`);

    // Live, accelerators off, recorded; then replayed into a core with them on and one with them off.
    const off = await liveSession(transport, false);
    assert.equal(off.delivered, on.delivered);
    assert.equal(off.hal.accelCalls, NO_CALLS);
    const accelerated = await replay(transport, off.events, true);
    const software = await replay(transport, off.events, false);
    assert.ok(off.sent.length >= 5, `a handshake and records were sent (${off.sent.length} messages)`);
    assert.equal(software.sent, off.sent, 'the replay reproduces the live run (control)');
    assert.equal(accelerated.sent, off.sent, 'accelerated: byte-identical handshakes and records');
    assert.is(status(accelerated.x).state, STATE.ESTABLISHED);
    assert.is(status(accelerated.x).acked, 12);
    const a = accelerated.hal.accelCalls;
    assert.ok(a.x25519 > 0 && a.aeadSeal > 0 && a.aeadOpen > 0 && a.sha256 > 0, `accelerators used in the replay: ${JSON.stringify(a)}`);
    assert.equal(software.hal.accelCalls, NO_CALLS);
  });
}

prim.run();
fail.run();
e2e.run();
