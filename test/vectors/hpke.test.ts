// HPKE (RFC 9180), suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
// ChaCha20-Poly1305, modes base and auth, on both implementations:
//
//   core   firmware/crypto/hpke.ts, through the TEST-ONLY entry points of
//          firmware/testing/hpke-exports.ts. They are compiled here, at test
//          start, next to firmware/index.ts with the release target's options,
//          in memory (no file is written), so the shipped module never carries them.
//   ts     cloud/crypto/hpke.ts (@noble/*, the retrieval library's HPKE)
//
// Vectors: every entry of the RFC 9180 Appendix A file for kem 0x0020, kdf
// 0x0001, aead 0x0003, modes 0 and 2 (setup values, all 257 encryptions in
// sequence, all exports). Then seeded cross-interop (core <-> ts, both
// directions), tampering, small-order keys, the core's sequence limit, roles,
// wiping and the TS argument checks.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { loadCore } from '../../hal/node/core.ts';
import { vectorText } from '../support/vectors.ts';
import { fromHex, toHex, equalBytes, flipBit } from '../support/hex.ts';
import { Run, CaseFailure, assertClean, expectBytes, type Report } from '../support/report.ts';
import { rng, type Prng } from '../support/rng.ts';
import * as hpke from '../../cloud/crypto/hpke.ts';

const test = suite('vectors: HPKE (RFC 9180)');

const MODE_BASE = 0;
const MODE_AUTH = 2;
const STATUS = { OK: 0, AUTH: -1, RANGE: -2, INVALID: -3 } as const;

// ---------------------------------------------------------------------------
// The core's test module

/** Compiles firmware/index.ts + firmware/testing/hpke-exports.ts (release options) into memory. */
async function compileTestCore(): Promise<Uint8Array> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let wasm: Uint8Array | undefined;
  const { error, stderr } = await asc.main([
    'firmware/index.ts', 'firmware/testing/hpke-exports.ts',
    '--config', 'asconfig.json', '--target', 'release', '--baseDir', root,
    '--outFile', 'hpke-test.wasm', '--textFile', 'hpke-test.wat',
  ], {
    writeFile(name, contents) {
      if (name.endsWith('hpke-test.wasm')) wasm = contents as Uint8Array;
    },
  });
  if (error) throw new Error(`asc (HPKE test module): ${error.message}\n${stderr.toString()}`);
  if (!wasm) throw new Error('asc produced no HPKE test module');
  return wasm;
}

interface HpkeTestExports {
  memory: WebAssembly.Memory;
  fw_io_ptr(): number;
  fw_io_bytes(): number;
  hpke_test_ctx_layout(field: number): number;
  hpke_test_derive_key_pair(sk: number, pk: number, ikm: number, ikmLen: number): number;
  hpke_test_encap(ss: number, enc: number, mode: number, pkR: number, skS: number, pkS: number, skE: number): number;
  hpke_test_decap(ss: number, mode: number, enc: number, skR: number, pkR: number, pkS: number): number;
  hpke_test_setup_sender(ctx: number, mode: number, pkR: number, skS: number, pkS: number,
    info: number, infoLen: number, skE: number, enc: number): number;
  hpke_test_setup_receiver(ctx: number, mode: number, enc: number, skR: number, pkR: number, pkS: number,
    info: number, infoLen: number): number;
  hpke_test_seal(ctx: number, aad: number, aadLen: number, pt: number, ptLen: number, out: number): number;
  hpke_test_open(ctx: number, aad: number, aadLen: number, ct: number, ctLen: number, out: number): number;
  hpke_test_export(ctx: number, ec: number, ecLen: number, outLen: number, out: number): number;
}

const NONE = 0xffffffff;
/** Exchange-buffer layout: context slots first, call arguments after them. */
const SLOT_BYTES = 96;
const SLOTS = 8;
const ARGS = SLOT_BYTES * SLOTS;

/** A failed core status where the test expected success. */
class CoreStatus extends Error {
  constructor(readonly status: number, what: string) { super(`${what}: core status ${status}`); }
}

/** The core's HPKE over the exchange buffer. */
class CoreHpke {
  readonly io: number;
  readonly layout: { bytes: number; key: number; baseNonce: number; exporter: number; seq: number; role: number };
  private nextSlot = 0;

  constructor(readonly x: HpkeTestExports) {
    this.io = x.fw_io_ptr();
    const f = (i: number) => x.hpke_test_ctx_layout(i);
    this.layout = { bytes: f(0), key: f(1), baseNonce: f(2), exporter: f(3), seq: f(4), role: f(5) };
    if (this.layout.bytes > SLOT_BYTES) throw new Error(`HPKE context is ${this.layout.bytes} bytes, slots hold ${SLOT_BYTES}`);
  }

  mem(): Uint8Array { return new Uint8Array(this.x.memory.buffer); }

  /** Writes the arguments one after another from ARGS; undefined becomes NONE. */
  put(...parts: (Uint8Array | undefined)[]): number[] {
    const m = this.mem();
    let at = ARGS;
    return parts.map((p) => {
      if (p === undefined) return NONE;
      const off = at;
      m.set(p, this.io + off);
      at += p.length;
      return off;
    });
  }
  /** A free offset after `n` bytes of arguments, 16 bytes clear of them. */
  after(parts: (Uint8Array | undefined)[]): number {
    return ARGS + parts.reduce((n, p) => n + (p?.length ?? 0), 0) + 16;
  }
  take(off: number, len: number): Uint8Array { return this.mem().slice(this.io + off, this.io + off + len); }
  clearArgs(): void { this.mem().fill(0, this.io + ARGS, this.io + this.x.fw_io_bytes()); }
  slot(): number {
    const s = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % SLOTS;
    return s * SLOT_BYTES;
  }

  deriveKeyPair(ikm: Uint8Array): { status: number; secretKey: Uint8Array; publicKey: Uint8Array } {
    const [i] = this.put(ikm);
    const out = this.after([ikm]);
    const status = this.x.hpke_test_derive_key_pair(out, out + 32, i, ikm.length);
    const r = { status, secretKey: this.take(out, 32), publicKey: this.take(out + 32, 32) };
    this.clearArgs();
    return r;
  }

  encap(mode: number, pkR: Uint8Array, skE: Uint8Array, skS?: Uint8Array, pkS?: Uint8Array) {
    const parts = [pkR, skE, skS, pkS];
    const [r, e, s, p] = this.put(...parts);
    const out = this.after(parts);
    const status = this.x.hpke_test_encap(out, out + 32, mode, r, s, p, e);
    const res = { status, sharedSecret: this.take(out, 32), enc: this.take(out + 32, 32), skEAfter: this.take(e, 32) };
    this.clearArgs();
    return res;
  }

  decap(mode: number, enc: Uint8Array, skR: Uint8Array, pkS?: Uint8Array, pkR?: Uint8Array) {
    const parts = [enc, skR, pkS, pkR];
    const [e, r, s, p] = this.put(...parts);
    const out = this.after(parts);
    const status = this.x.hpke_test_decap(out, mode, e, r, p, s);
    const res = { status, sharedSecret: this.take(out, 32) };
    this.clearArgs();
    return res;
  }

  setupS(mode: number, pkR: Uint8Array, info: Uint8Array, skE: Uint8Array, skS?: Uint8Array, pkS?: Uint8Array) {
    const ctx = this.slot();
    const parts = [pkR, info, skE, skS, pkS];
    const [r, i, e, s, p] = this.put(...parts);
    const out = this.after(parts);
    const status = this.x.hpke_test_setup_sender(ctx, mode, r, s, p, i, info.length, e, out);
    const res = { status, enc: this.take(out, 32), skEAfter: this.take(e, 32), ctx: new CoreContext(this, ctx) };
    this.clearArgs();
    return res;
  }

  setupR(mode: number, enc: Uint8Array, skR: Uint8Array, info: Uint8Array, pkS?: Uint8Array, pkR?: Uint8Array) {
    const ctx = this.slot();
    const [e, r, i, s, p] = this.put(enc, skR, info, pkS, pkR);
    const status = this.x.hpke_test_setup_receiver(ctx, mode, e, r, p, s, i, info.length);
    this.clearArgs();
    return { status, ctx: new CoreContext(this, ctx) };
  }
}

/** One context slot of the core. */
class CoreContext {
  constructor(readonly core: CoreHpke, readonly off: number) {}

  field(at: number, len: number): Uint8Array { return this.core.take(this.off + at, len); }
  secrets(): hpke.ContextSecrets {
    const l = this.core.layout;
    return { key: this.field(l.key, 32), baseNonce: this.field(l.baseNonce, 12), exporterSecret: this.field(l.exporter, 32) };
  }
  get seq(): bigint {
    return new DataView(this.core.x.memory.buffer).getBigUint64(this.core.io + this.off + this.core.layout.seq, true);
  }
  set seq(v: bigint) {
    new DataView(this.core.x.memory.buffer).setBigUint64(this.core.io + this.off + this.core.layout.seq, v, true);
  }
  get role(): number {
    return new DataView(this.core.x.memory.buffer).getUint32(this.core.io + this.off + this.core.layout.role, true);
  }

  seal(aad: Uint8Array, pt: Uint8Array): { status: number; ct: Uint8Array } {
    const [a, p] = this.core.put(aad, pt);
    const out = this.core.after([aad, pt]);
    const status = this.core.x.hpke_test_seal(this.off, a, aad.length, p, pt.length, out);
    const ct = this.core.take(out, pt.length + 16);
    this.core.clearArgs();
    return { status, ct };
  }

  open(aad: Uint8Array, ct: Uint8Array): { status: number; pt: Uint8Array } {
    const [a, c] = this.core.put(aad, ct);
    const out = this.core.after([aad, ct]);
    const status = this.core.x.hpke_test_open(this.off, a, aad.length, c, ct.length, out);
    const pt = this.core.take(out, Math.max(0, ct.length - 16));
    this.core.clearArgs();
    return { status, pt };
  }

  export(exporterContext: Uint8Array, length: number): { status: number; out: Uint8Array } {
    const [e] = this.core.put(exporterContext);
    const out = this.core.after([exporterContext]);
    const status = this.core.x.hpke_test_export(this.off, e, exporterContext.length, length, out);
    const res = { status, out: this.core.take(out, length) };
    this.core.clearArgs();
    return res;
  }
}

let coreLoad: Promise<CoreHpke> | undefined;
function testCore(): Promise<CoreHpke> {
  coreLoad ??= (async () => {
    const wasm = await compileTestCore();
    const core = await loadCore({ wasm });
    return new CoreHpke(core.exports as unknown as HpkeTestExports);
  })();
  return coreLoad;
}

// ---------------------------------------------------------------------------
// One interface over both implementations (success paths throw on failure,
// open returns null when the ciphertext does not authenticate)

interface SenderSide { enc: Uint8Array; secrets: hpke.ContextSecrets; seal(aad: Uint8Array, pt: Uint8Array): Uint8Array; export(ec: Uint8Array, l: number): Uint8Array }
interface RecipientSide { secrets: hpke.ContextSecrets; open(aad: Uint8Array, ct: Uint8Array): Uint8Array | null; export(ec: Uint8Array, l: number): Uint8Array }

interface Impl {
  name: string;
  deriveKeyPair(ikm: Uint8Array): hpke.KeyPair;
  encap(mode: number, pkR: Uint8Array, skE: Uint8Array, skS?: Uint8Array): { sharedSecret: Uint8Array; enc: Uint8Array };
  decap(mode: number, enc: Uint8Array, skR: Uint8Array, pkS?: Uint8Array): Uint8Array;
  setupS(mode: number, pkR: Uint8Array, info: Uint8Array, skE: Uint8Array, skS?: Uint8Array): SenderSide;
  setupR(mode: number, enc: Uint8Array, skR: Uint8Array, info: Uint8Array, pkS?: Uint8Array): RecipientSide;
}

function ok(status: number, what: string): void {
  if (status !== STATUS.OK) throw new CoreStatus(status, what);
}

function coreImpl(core: CoreHpke): Impl {
  return {
    name: 'core',
    deriveKeyPair(ikm) {
      const r = core.deriveKeyPair(ikm);
      ok(r.status, 'deriveKeyPair');
      return r;
    },
    encap(mode, pkR, skE, skS) {
      const r = core.encap(mode, pkR, skE.slice(), skS);
      ok(r.status, 'encap');
      return r;
    },
    decap(mode, enc, skR, pkS) {
      const r = core.decap(mode, enc, skR, pkS);
      ok(r.status, 'decap');
      return r.sharedSecret;
    },
    setupS(mode, pkR, info, skE, skS) {
      const r = core.setupS(mode, pkR, info, skE, skS);
      ok(r.status, 'setupS');
      if (!r.skEAfter.every((b) => b === 0)) throw new CaseFailure('setupS left the ephemeral secret in memory');
      const ctx = r.ctx;
      return {
        enc: r.enc,
        secrets: ctx.secrets(),
        seal(aad, pt) { const s = ctx.seal(aad, pt); ok(s.status, 'seal'); return s.ct; },
        export(ec, l) { const e = ctx.export(ec, l); ok(e.status, 'export'); return e.out; },
      };
    },
    setupR(mode, enc, skR, info, pkS) {
      const r = core.setupR(mode, enc, skR, info, pkS);
      ok(r.status, 'setupR');
      const ctx = r.ctx;
      return {
        secrets: ctx.secrets(),
        open(aad, ct) {
          const o = ctx.open(aad, ct);
          if (o.status === STATUS.AUTH) {
            if (!o.pt.every((b) => b === 0)) throw new CaseFailure('failed open left plaintext in the output');
            return null;
          }
          ok(o.status, 'open');
          return o.pt;
        },
        export(ec, l) { const e = ctx.export(ec, l); ok(e.status, 'export'); return e.out; },
      };
    },
  };
}

const tsImpl: Impl = {
  name: 'ts',
  deriveKeyPair: hpke.deriveKeyPair,
  encap(mode, pkR, skE, skS) {
    return hpke.encap(pkR, mode === MODE_AUTH ? skS : undefined, { skE });
  },
  decap(mode, enc, skR, pkS) {
    return hpke.decap(enc, skR, mode === MODE_AUTH ? pkS : undefined);
  },
  setupS(mode, pkR, info, skE, skS) {
    const { enc, ctx } = mode === MODE_AUTH ? hpke.setupAuthS(pkR, info, skS!, { skE }) : hpke.setupBaseS(pkR, info, { skE });
    // The context keeps its secrets private; the key schedule recomputes them from the same inputs.
    const secrets = hpke.keySchedule(mode, tsImpl.encap(mode, pkR, skE, skS).sharedSecret, info);
    return { enc, secrets, seal: (aad, pt) => ctx.seal(aad, pt), export: (ec, l) => ctx.export(ec, l) };
  },
  setupR(mode, enc, skR, info, pkS) {
    const ctx = mode === MODE_AUTH ? hpke.setupAuthR(enc, skR, info, pkS!) : hpke.setupBaseR(enc, skR, info);
    const secrets = hpke.keySchedule(mode, tsImpl.decap(mode, enc, skR, pkS), info);
    return {
      secrets,
      open(aad, ct) {
        try {
          return ctx.open(aad, ct);
        } catch (e) {
          if (e instanceof hpke.HpkeError && e.code === 'open') return null;
          throw e;
        }
      },
      export: (ec, l) => ctx.export(ec, l),
    };
  },
};

const IMPLS: (() => Promise<Impl>)[] = [async () => coreImpl(await testCore()), async () => tsImpl];

// ---------------------------------------------------------------------------
// RFC 9180 Appendix A vectors

interface HpkeVector {
  mode: number; kem_id: number; kdf_id: number; aead_id: number;
  info: string; ikmE: string; ikmR: string; ikmS?: string;
  skEm: string; skRm: string; skSm?: string; pkEm: string; pkRm: string; pkSm?: string;
  enc: string; shared_secret: string; key_schedule_context: string; secret: string;
  key: string; base_nonce: string; exporter_secret: string;
  encryptions: { aad: string; pt: string; nonce: string; ct: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const ENCRYPTIONS_PER_SUITE = 257;
const EXPORTS_PER_SUITE = 3;

function suiteVectors(): HpkeVector[] {
  const all = JSON.parse(vectorText('cfrg-hpke/test-vectors.json')) as HpkeVector[];
  return all.filter((v) => v.kem_id === 0x20 && v.kdf_id === 1 && v.aead_id === 3 && (v.mode === MODE_BASE || v.mode === MODE_AUTH));
}

/** base_nonce XOR I2OSP(seq, 12) (§5.2), BigInt so any seq works. */
function nonceFor(baseNonce: Uint8Array, seq: bigint): Uint8Array {
  const n = baseNonce.slice();
  for (let i = 11; i >= 0 && seq > 0n; i--, seq >>= 8n) n[i] ^= Number(seq & 0xffn);
  return n;
}

function checkVectors(impl: Impl, vectors: HpkeVector[], onSetup?: (v: HpkeVector) => void): Report {
  const run = new Run(`${impl.name}: RFC 9180 A.1.1/A.1.3 (X25519, HKDF-SHA256, ChaCha20-Poly1305)`, 0);
  if (vectors.length !== 2 || new Set(vectors.map((v) => v.mode)).size !== 2) {
    run.fail(`expected one base and one auth suite, found modes [${vectors.map((v) => v.mode)}]`);
  }
  let expected = 0;
  for (const v of vectors) {
    const id = `mode ${v.mode}`;
    const h = (k: keyof HpkeVector) => fromHex(v[k] as string);
    const auth = v.mode === MODE_AUTH;
    expected += 1 + v.encryptions.length + v.exports.length;
    if (v.encryptions.length !== ENCRYPTIONS_PER_SUITE) run.fail(`${id}: ${v.encryptions.length} encryptions, expected ${ENCRYPTIONS_PER_SUITE}`);
    if (v.exports.length !== EXPORTS_PER_SUITE) run.fail(`${id}: ${v.exports.length} exports, expected ${EXPORTS_PER_SUITE}`);

    let sender: SenderSide | undefined;
    let recipient: RecipientSide | undefined;
    run.case(`${id} setup`, () => {
      const e = impl.deriveKeyPair(h('ikmE'));
      const r = impl.deriveKeyPair(h('ikmR'));
      expectBytes('DeriveKeyPair(ikmE).sk', e.secretKey, h('skEm'));
      expectBytes('DeriveKeyPair(ikmE).pk', e.publicKey, h('pkEm'));
      expectBytes('DeriveKeyPair(ikmR).sk', r.secretKey, h('skRm'));
      expectBytes('DeriveKeyPair(ikmR).pk', r.publicKey, h('pkRm'));
      let skS: Uint8Array | undefined;
      let pkS: Uint8Array | undefined;
      if (auth) {
        const s = impl.deriveKeyPair(h('ikmS'));
        expectBytes('DeriveKeyPair(ikmS).sk', s.secretKey, h('skSm'));
        expectBytes('DeriveKeyPair(ikmS).pk', s.publicKey, h('pkSm'));
        skS = s.secretKey;
        pkS = s.publicKey;
      }
      const kem = impl.encap(v.mode, r.publicKey, e.secretKey, skS);
      expectBytes('Encap enc', kem.enc, h('enc'));
      expectBytes('Encap shared_secret', kem.sharedSecret, h('shared_secret'));
      expectBytes('Decap shared_secret', impl.decap(v.mode, kem.enc, r.secretKey, pkS), h('shared_secret'));
      sender = impl.setupS(v.mode, r.publicKey, h('info'), e.secretKey, skS);
      expectBytes('SetupS enc', sender.enc, h('enc'));
      recipient = impl.setupR(v.mode, sender.enc, r.secretKey, h('info'), pkS);
      for (const [side, s] of [['S', sender.secrets], ['R', recipient.secrets]] as const) {
        expectBytes(`Setup${side} key`, s.key, h('key'));
        expectBytes(`Setup${side} base_nonce`, s.baseNonce, h('base_nonce'));
        expectBytes(`Setup${side} exporter_secret`, s.exporterSecret, h('exporter_secret'));
      }
      onSetup?.(v);
    });
    const baseNonce = h('base_nonce');
    v.encryptions.forEach((enc, seq) => run.case(`${id} encryption ${seq}`, () => {
      if (!sender || !recipient) throw new CaseFailure('setup failed');
      // The file lists encryptions in sequence-number order; confirm before relying on it.
      expectBytes('vector nonce = base_nonce ^ seq', fromHex(enc.nonce), nonceFor(baseNonce, BigInt(seq)));
      expectBytes('Seal', sender.seal(fromHex(enc.aad), fromHex(enc.pt)), fromHex(enc.ct));
      expectBytes('Open', recipient.open(fromHex(enc.aad), fromHex(enc.ct)), fromHex(enc.pt));
    }));
    v.exports.forEach((x, i) => run.case(`${id} export ${i} (L=${x.L}, context ${x.exporter_context || 'empty'})`, () => {
      if (!sender || !recipient) throw new CaseFailure('setup failed');
      expectBytes('ContextS.Export', sender.export(fromHex(x.exporter_context), x.L), fromHex(x.exported_value));
      expectBytes('ContextR.Export', recipient.export(fromHex(x.exporter_context), x.L), fromHex(x.exported_value));
    }));
  }
  run.expect(expected);
  return run.finish();
}

test('the vector file holds the 2 suites (base, auth) with 257 encryptions and 3 exports each', () => {
  const vs = suiteVectors();
  assert.equal(vs.map((v) => v.mode).sort(), [MODE_BASE, MODE_AUTH]);
  for (const v of vs) {
    assert.is(v.encryptions.length, ENCRYPTIONS_PER_SUITE);
    assert.is(v.exports.length, EXPORTS_PER_SUITE);
  }
});

for (const load of IMPLS) {
  test('vectors (setup, 2 x 257 encryptions, 2 x 3 exports) on each implementation', async () => {
    const impl = await load();
    const vectors = suiteVectors();
    const r = checkVectors(impl, vectors);
    assert.is(r.expected, 2 * (1 + ENCRYPTIONS_PER_SUITE + EXPORTS_PER_SUITE), 'case count');
    assertClean(r);
  });
}

test('core: no KEM or key-schedule secret survives a setup in linear memory', async () => {
  const core = await testCore();
  for (const v of suiteVectors()) {
    const h = (k: keyof HpkeVector) => fromHex(v[k] as string);
    const auth = v.mode === MODE_AUTH;
    const skS = auth ? h('skSm') : undefined;
    const pkS = auth ? h('pkSm') : undefined;
    const needles: [string, Uint8Array][] = [
      ['shared_secret', h('shared_secret')], ['secret', h('secret')],
      ['DH(skE, pkR)', x25519.getSharedSecret(h('skEm'), h('pkRm'))],
      ['skE', h('skEm')],
    ];
    if (auth) needles.push(['DH(skS, pkR)', x25519.getSharedSecret(h('skSm'), h('pkRm'))]);
    const s = core.setupS(v.mode, h('pkRm'), h('info'), h('skEm'), skS);
    const r = core.setupR(v.mode, s.enc, h('skRm'), h('info'), pkS);
    assert.is(s.status, STATUS.OK);
    assert.is(r.status, STATUS.OK);
    const mem = Buffer.from(core.x.memory.buffer);
    for (const [name, needle] of needles) {
      assert.is(mem.indexOf(Buffer.from(needle)), -1, `mode ${v.mode}: ${name} found in memory after setup`);
    }
    // The contexts hold exactly what they must; clear them so later needles stay meaningful.
    expectBytes('sender key in context', s.ctx.secrets().key, h('key'));
    core.mem().fill(0, core.io, core.io + ARGS);
  }
});

// ---------------------------------------------------------------------------
// Cross-interop, seeded

function randomBytes(r: Prng, max: number): Uint8Array {
  return r.bytes(r.int(max + 1));
}

function keyPair(r: Prng): hpke.KeyPair {
  return hpke.deriveKeyPair(r.bytes(32));
}

const ROUNDS = 6;
const MESSAGES = 4;

for (const [from, to] of [['core', 'ts'], ['ts', 'core']] as const) {
  test(`${from} seals, ${to} opens: ${ROUNDS} rounds x ${MESSAGES} messages per mode (random keys, info, aad, pt), exports agree`, async () => {
    const impls = { core: coreImpl(await testCore()), ts: tsImpl };
    const r = rng(`hpke/interop/${from}-${to}`);
    const run = new Run(`${from} -> ${to}`, 2 * ROUNDS * MESSAGES);
    for (const mode of [MODE_AUTH, MODE_BASE]) {
      for (let round = 0; round < ROUNDS; round++) {
        const rcpt = keyPair(r);
        const snd = keyPair(r);
        const info = randomBytes(r, 80);
        const sealer = impls[from].setupS(mode, rcpt.publicKey, info, r.bytes(32), snd.secretKey);
        const opener = impls[to].setupR(mode, sealer.enc, rcpt.secretKey, info, snd.publicKey);
        const ec = randomBytes(r, 40);
        const l = r.int(100);
        expectBytes('exports agree', opener.export(ec, l), sealer.export(ec, l));
        for (let m = 0; m < MESSAGES; m++) {
          run.case(`mode ${mode} round ${round} message ${m}`, () => {
            const aad = randomBytes(r, 64);
            const pt = randomBytes(r, 300);
            expectBytes('open(seal(pt))', opener.open(aad, sealer.seal(aad, pt)), pt);
          });
        }
      }
    }
    assertClean(run.finish());
  });
}

test('tampering: a flipped bit in ct, enc, aad or info, a wrong sender key, or reordering fails to open, both ways', async () => {
  const impls = { core: coreImpl(await testCore()), ts: tsImpl };
  const r = rng('hpke/tamper');
  const run = new Run('tampering', 0);
  let cases = 0;
  for (const [from, to] of [['core', 'ts'], ['ts', 'core']] as const) {
    for (let round = 0; round < 3; round++) {
      const rcpt = keyPair(r);
      const snd = keyPair(r);
      const other = keyPair(r);
      const info = randomBytes(r, 40);
      const aad = randomBytes(r, 32);
      const pt = r.bytes(1 + r.int(100));
      const s = impls[from].setupS(MODE_AUTH, rcpt.publicKey, info, r.bytes(32), snd.secretKey);
      const ct0 = s.seal(aad, pt);
      const ct1 = s.seal(aad, pt);
      const opener = () => impls[to].setupR(MODE_AUTH, s.enc, rcpt.secretKey, info, snd.publicKey);
      const fails = (what: string, open: () => Uint8Array | null) => {
        cases++;
        run.case(`${from} -> ${to} round ${round}: ${what}`, () => {
          const got = open();
          if (got !== null) throw new CaseFailure(`${what}: opened (${toHex(got.subarray(0, 16))}...)`);
        });
      };
      fails('flipped ct bit', () => opener().open(aad, flipBit(ct0, r.int(ct0.length * 8))));
      fails('flipped tag bit', () => opener().open(aad, flipBit(ct0, (ct0.length - 16) * 8 + r.int(128))));
      fails('flipped enc bit', () => impls[to].setupR(MODE_AUTH, flipBit(s.enc, r.int(255)), rcpt.secretKey, info, snd.publicKey).open(aad, ct0));
      fails('flipped aad bit', () => opener().open(aad.length ? flipBit(aad, r.int(aad.length * 8)) : Uint8Array.of(0), ct0));
      fails('other info', () => impls[to].setupR(MODE_AUTH, s.enc, rcpt.secretKey, flipBit(info.length ? info : Uint8Array.of(1), 0), snd.publicKey).open(aad, ct0));
      fails('wrong sender key (auth)', () => impls[to].setupR(MODE_AUTH, s.enc, rcpt.secretKey, info, other.publicKey).open(aad, ct0));
      fails('wrong recipient key', () => impls[to].setupR(MODE_AUTH, s.enc, other.secretKey, info, snd.publicKey).open(aad, ct0));
      fails('opened as base mode', () => impls[to].setupR(MODE_BASE, s.enc, rcpt.secretKey, info).open(aad, ct0));
      fails('second message first (sequence)', () => opener().open(aad, ct1));
      cases++;
      run.case(`${from} -> ${to} round ${round}: a failed open leaves the sequence number, then both open in order`, () => {
        const o = opener();
        if (o.open(aad, flipBit(ct0, 3)) !== null) throw new CaseFailure('tampered opened');
        expectBytes('message 0', o.open(aad, ct0), pt);
        expectBytes('message 1', o.open(aad, ct1), pt);
      });
    }
  }
  run.expect(cases);
  assertClean(run.finish());
});

// ---------------------------------------------------------------------------
// Small-order keys, limits, roles, argument checks

/** u = 0, 1 and an order-8 point (RFC 7748 §6.1 / Wycheproof low-order cases). */
const SMALL_ORDER = [
  new Uint8Array(32),
  Uint8Array.of(1, ...new Array(31).fill(0)),
  fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
];

test('small-order pkR, enc or pkS: the core refuses (STATUS_INVALID, context unusable), ts throws HpkeError dh', async () => {
  const core = await testCore();
  const r = rng('hpke/small-order');
  const rcpt = keyPair(r);
  const snd = keyPair(r);
  for (const bad of SMALL_ORDER) {
    const s = core.setupS(MODE_BASE, bad, new Uint8Array(0), r.bytes(32));
    assert.is(s.status, STATUS.INVALID, `core setupS pkR=${toHex(bad)}`);
    assert.ok(s.ctx.field(0, core.layout.bytes).every((b) => b === 0), 'failed setup zeroes the context');
    assert.is(s.ctx.seal(new Uint8Array(0), new Uint8Array(4)).status, STATUS.INVALID, 'seal on a failed context');
    assert.is(s.ctx.export(new Uint8Array(0), 32).status, STATUS.INVALID, 'export on a failed context');
    assert.is(core.setupS(MODE_AUTH, bad, new Uint8Array(0), r.bytes(32), snd.secretKey).status, STATUS.INVALID);
    assert.is(core.setupR(MODE_BASE, bad, rcpt.secretKey, new Uint8Array(0)).status, STATUS.INVALID, 'core setupR enc');
    const good = core.setupS(MODE_BASE, rcpt.publicKey, new Uint8Array(0), r.bytes(32));
    assert.is(core.setupR(MODE_AUTH, good.enc, rcpt.secretKey, new Uint8Array(0), bad).status, STATUS.INVALID, 'core setupR pkS');
    const isDh = (e: unknown) => e instanceof hpke.HpkeError && e.code === 'dh';
    assert.throws(() => hpke.setupBaseS(bad, new Uint8Array(0)), isDh);
    assert.throws(() => hpke.setupAuthS(bad, new Uint8Array(0), snd.secretKey), isDh);
    assert.throws(() => hpke.setupBaseR(bad, rcpt.secretKey, new Uint8Array(0)), isDh);
    assert.throws(() => hpke.setupAuthR(good.enc, rcpt.secretKey, new Uint8Array(0), bad), isDh);
  }
});

test('core: sequence number limit 2^64 - 1 (MessageLimitReachedError as STATUS_RANGE), nonce of a large seq', async () => {
  const core = await testCore();
  const r = rng('hpke/seq');
  const rcpt = keyPair(r);
  const s = core.setupS(MODE_BASE, rcpt.publicKey, new Uint8Array(0), r.bytes(32));
  const o = core.setupR(MODE_BASE, s.enc, rcpt.secretKey, new Uint8Array(0));
  const last = 2n ** 64n - 2n;
  s.ctx.seq = last;
  o.ctx.seq = last;
  const pt = r.bytes(20);
  const sealed = s.ctx.seal(new Uint8Array(0), pt);
  assert.is(sealed.status, STATUS.OK);
  // Independent check of ComputeNonce at the top of the range: noble with base_nonce ^ I2OSP(seq, 12).
  const { key, baseNonce } = s.ctx.secrets();
  assert.equal(chacha20poly1305(key, nonceFor(baseNonce, last), new Uint8Array(0)).decrypt(sealed.ct), pt);
  assert.is(s.ctx.seq, last + 1n);
  assert.is(s.ctx.seal(new Uint8Array(0), pt).status, STATUS.RANGE, 'seal at seq 2^64 - 1');
  assert.is(s.ctx.seq, last + 1n, 'seq unchanged after refusal');
  const opened = o.ctx.open(new Uint8Array(0), sealed.ct);
  assert.is(opened.status, STATUS.OK);
  assert.equal(opened.pt, pt);
  assert.is(o.ctx.open(new Uint8Array(0), sealed.ct).status, STATUS.RANGE, 'open at seq 2^64 - 1');
});

test('core: roles, modes and lengths', async () => {
  const core = await testCore();
  const r = rng('hpke/args');
  const rcpt = keyPair(r);
  const snd = keyPair(r);
  const empty = new Uint8Array(0);
  const s = core.setupS(MODE_AUTH, rcpt.publicKey, empty, r.bytes(32), snd.secretKey);
  const o = core.setupR(MODE_AUTH, s.enc, rcpt.secretKey, empty, snd.publicKey);
  assert.is(s.ctx.role, 1);
  assert.is(o.ctx.role, 2);
  const ct = s.ctx.seal(empty, empty).ct;
  assert.is(o.ctx.seal(empty, empty).status, STATUS.INVALID, 'seal on a receiver context');
  assert.is(s.ctx.open(empty, ct).status, STATUS.INVALID, 'open on a sender context');
  assert.is(o.ctx.open(empty, ct.subarray(0, 15)).status, STATUS.RANGE, 'ct shorter than the tag');
  assert.is(o.ctx.open(empty, ct).status, STATUS.OK, 'empty plaintext');
  assert.is(s.ctx.export(empty, 255 * 32 + 1).status, STATUS.RANGE, 'export L > 255 * Nh');
  // 220 blocks (the exchange buffer cannot hold the full 255 next to the contexts), against ts.
  const big = s.ctx.export(Uint8Array.of(7), 220 * 32);
  assert.is(big.status, STATUS.OK);
  assert.ok(equalBytes(o.ctx.export(Uint8Array.of(7), 220 * 32).out, big.out), 'multi-block export, core sender vs receiver');
  const tsR = hpke.setupAuthR(s.enc, rcpt.secretKey, empty, snd.publicKey);
  assert.ok(equalBytes(tsR.export(Uint8Array.of(7), 220 * 32), big.out), 'multi-block export, core vs ts');
  assert.is(s.ctx.export(empty, 0).status, STATUS.OK, 'export L = 0');
  // The PSK modes and unknown modes are refused, as is auth without the sender's key.
  for (const mode of [1, 3, 4, 0x100]) {
    assert.is(core.setupS(mode, rcpt.publicKey, empty, r.bytes(32), snd.secretKey).status, STATUS.INVALID, `setupS mode ${mode}`);
    assert.is(core.setupR(mode, s.enc, rcpt.secretKey, empty, snd.publicKey).status, STATUS.INVALID, `setupR mode ${mode}`);
  }
  const noSkS = core.setupS(MODE_AUTH, rcpt.publicKey, empty, r.bytes(32));
  assert.is(noSkS.status, STATUS.INVALID, 'auth setupS without skS');
  assert.ok(noSkS.skEAfter.every((b) => b === 0), 'skE wiped even when refused');
  assert.is(core.setupR(MODE_AUTH, s.enc, rcpt.secretKey, empty).status, STATUS.INVALID, 'auth setupR without pkS');
  assert.is(core.deriveKeyPair(r.bytes(31)).status, STATUS.RANGE, 'ikm shorter than Nsk');
  // Optional public keys: given or computed, the same context.
  const skE = r.bytes(32);
  const a = core.setupS(MODE_AUTH, rcpt.publicKey, empty, skE.slice(), snd.secretKey, snd.publicKey);
  const b = core.setupS(MODE_AUTH, rcpt.publicKey, empty, skE.slice(), snd.secretKey);
  assert.equal(a.ctx.secrets(), b.ctx.secrets(), 'pkS given or computed');
  const c = core.setupR(MODE_AUTH, a.enc, rcpt.secretKey, empty, snd.publicKey, rcpt.publicKey);
  assert.equal(c.ctx.secrets(), a.ctx.secrets(), 'pkR given');
});

test('ts: TypeError for a wrong type, RangeError for a wrong length, stable error codes', () => {
  const r = rng('hpke/ts-args');
  const rcpt = keyPair(r);
  const snd = keyPair(r);
  const empty = new Uint8Array(0);
  const k31 = new Uint8Array(31);
  const notBytes = [1, 2, 3] as unknown as Uint8Array;
  assert.throws(() => hpke.setupBaseS(notBytes, empty), TypeError);
  assert.throws(() => hpke.setupBaseS(k31, empty), RangeError);
  assert.throws(() => hpke.setupBaseS(rcpt.publicKey, 'info' as unknown as Uint8Array), TypeError);
  assert.throws(() => hpke.setupBaseS(rcpt.publicKey, empty, { skE: k31 }), RangeError);
  assert.throws(() => hpke.setupAuthS(rcpt.publicKey, empty, k31), RangeError);
  assert.throws(() => hpke.setupBaseR(k31, rcpt.secretKey, empty), RangeError);
  assert.throws(() => hpke.setupBaseR(rcpt.publicKey, k31, empty), RangeError);
  assert.throws(() => hpke.setupAuthR(rcpt.publicKey, rcpt.secretKey, empty, k31), RangeError);
  assert.throws(() => hpke.deriveKeyPair(k31), RangeError);
  const { enc, ctx } = hpke.setupAuthS(rcpt.publicKey, empty, snd.secretKey);
  const ct = ctx.seal(empty, Uint8Array.of(1, 2, 3));
  assert.throws(() => ctx.seal(notBytes, empty), TypeError);
  assert.throws(() => ctx.export(empty, 1.5), TypeError);
  assert.throws(() => ctx.export(empty, '32' as unknown as number), TypeError);
  assert.throws(() => ctx.export(empty, 8161), RangeError);
  assert.throws(() => ctx.export(empty, -1), RangeError);
  const rx = hpke.setupAuthR(enc, rcpt.secretKey, empty, snd.publicKey);
  assert.throws(() => rx.open(empty, new Uint8Array(15)), RangeError);
  assert.throws(() => rx.open(Uint8Array.of(1), ct), (e: unknown) => e instanceof hpke.HpkeError && e.code === 'open');
  assert.is(rx.seq, 0, 'a failed open does not advance the sequence number');
  assert.equal(rx.open(empty, ct), Uint8Array.of(1, 2, 3));
  assert.is(rx.seq, 1);
  // Single-shot API (§6.1) round trips and the generated key pair.
  const g = hpke.generateKeyPair();
  assert.equal(hpke.publicKeyOf(g.secretKey), g.publicKey);
  const one = hpke.sealAuth(g.publicKey, Uint8Array.of(9), Uint8Array.of(8), Uint8Array.of(7), snd.secretKey);
  assert.equal(hpke.openAuth(one.enc, g.secretKey, Uint8Array.of(9), Uint8Array.of(8), one.ct, snd.publicKey), Uint8Array.of(7));
  assert.throws(() => hpke.openAuth(one.enc, g.secretKey, Uint8Array.of(9), Uint8Array.of(8), one.ct, rcpt.publicKey),
    (e: unknown) => e instanceof hpke.HpkeError && e.code === 'open');
  const base = hpke.sealBase(g.publicKey, empty, empty, Uint8Array.of(5));
  assert.equal(hpke.openBase(base.enc, g.secretKey, empty, empty, base.ct), Uint8Array.of(5));
  assert.ok(!equalBytes(hpke.sealBase(g.publicKey, empty, empty, Uint8Array.of(5)).enc, base.enc), 'fresh ephemeral per setup');
});

test.run();
