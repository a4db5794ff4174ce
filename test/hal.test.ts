// The HAL contract is declared once (hal/contract.json) and nothing drifts from
// it: the generated files are fresh, the compiled core's imports and exports
// match it, the Node binding refuses every out-of-range buffer before the
// implementation sees it, the simulated board's accelerators equal @noble, and
// the generated WAMR glue compiles as C.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import asc from 'assemblyscript/asc';
import wabtInit from 'wabt';
import { x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { OUTPUTS, generate, readContract, staleFiles, validateContract, wasmParams, type Contract } from '../scripts/gen-hal.ts';
import {
  bindHal, type HalImpl, HAL_OK, HAL_EINVAL, HAL_ENOENT, HAL_EIO, HAL_ENOTSUP,
  HAL_CAP_X25519, HAL_CAP_CHACHA20_POLY1305, HAL_CAP_SHA256, HAL_CAP_AES_BLOCK,
} from '../hal/node/hal.generated.ts';
import { SimHal, type CoreRx } from '../hal/node/sim.ts';
import { loadCore } from '../hal/node/core.ts';
import { rng } from './support/rng.ts';
import { fromHex, toHex } from './support/hex.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const contract = readContract(root);
const releaseWasm = new Uint8Array(readFileSync(join(root, 'build/sealink-core.wasm')));

// ---- a minimal reader for function signatures (Node 20 has no wasm type reflection) ----

interface Sig { params: string[]; results: string[] }
const VALTYPE: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };

function signatures(b: Uint8Array) {
  let at = 8;
  const u32 = () => { let r = 0, s = 0, x; do { x = b[at++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); at += n; return new TextDecoder().decode(b.subarray(at - n, at)); };
  const limits = () => { const f = b[at++]; u32(); if (f & 1) u32(); };
  const types: Sig[] = [];
  const funcTypes: number[] = [];
  const imports: { module: string; name: string; kind: number; sig?: Sig }[] = [];
  const exports: { name: string; kind: number; sig?: Sig }[] = [];
  while (at < b.length) {
    const id = b[at++];
    const size = u32();
    const end = at + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        at++; // 0x60
        const params = Array.from({ length: u32() }, () => VALTYPE[b[at++]]);
        const results = Array.from({ length: u32() }, () => VALTYPE[b[at++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const module = name();
        const field = name();
        const kind = b[at++];
        if (kind === 0) { const t = u32(); funcTypes.push(t); imports.push({ module, name: field, kind, sig: types[t] }); continue; }
        if (kind === 1) { at++; limits(); } else if (kind === 2) limits(); else at += 2;
        imports.push({ module, name: field, kind });
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name();
        const kind = b[at++];
        const index = u32();
        exports.push({ name: field, kind, sig: kind === 0 ? types[funcTypes[index]] : undefined });
      }
    }
    at = end;
  }
  return { imports, exports };
}

const importSig = (i: Contract['imports'][number]): Sig => ({ params: wasmParams(i.params), results: ['i32'] });

function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealink-hal-'));
  for (const path of [...Object.values(OUTPUTS), 'hal/contract.json']) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    cpSync(join(root, path), join(dir, path));
  }
  return dir;
}

// ---- (a) generated files are fresh, and the check can fail ----

test('generated HAL files are fresh (npm run gen:hal -- --check)', () => {
  assert.equal(staleFiles(root), [], 'run `npm run gen:hal`');
  for (const text of generate(contract).values()) {
    assert.ok(text.includes('GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit'));
  }
});

test('the freshness check fails for an edited or missing generated file', () => {
  const dir = tempRoot();
  try {
    assert.equal(staleFiles(dir), []);
    for (const path of Object.values(OUTPUTS)) {
      appendFileSync(join(dir, path), ' ');
      assert.equal(staleFiles(dir), [path], `a byte appended to ${path}`);
      cpSync(join(root, path), join(dir, path));
    }
    rmSync(join(dir, OUTPUTS.header));
    assert.equal(staleFiles(dir), [OUTPUTS.header]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the gen:hal --check command exits 0 here', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-hal.ts'), '--check'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('an invalid contract generates nothing', () => {
  const bad = structuredClone(contract);
  bad.imports[0].params.push({ name: 'x', type: 'i64' as 'i32' });
  bad.imports.push({ ...bad.imports[1] });
  assert.throws(() => generate(bad), /bad type i64[\s\S]*duplicate name/);
  assert.not.throws(() => validateContract(contract));
});

// ---- (b) the compiled core's imports are the contract's ----

/** Imports of a module that the contract does not declare, or declares with another signature. */
function importProblems(bytes: Uint8Array): string[] {
  const byName = new Map(contract.imports.map((i) => [i.name, i]));
  return signatures(bytes).imports.flatMap((imp) => {
    const declared = imp.module === contract.module ? byName.get(imp.name) : undefined;
    if (!declared) return [`imports ${imp.module}.${imp.name}, which hal/contract.json does not declare`];
    const want = importSig(declared);
    return JSON.stringify(imp.sig) === JSON.stringify(want) ? []
      : [`${imp.name}: ${JSON.stringify(imp.sig)}, contract says ${JSON.stringify(want)}`];
  });
}

const wabt = await wabtInit();
const wat = (body: string) => wabt.parseWat('t.wat', `(module ${body})`, {}).toBinary({}).buffer;

test('every import of the release core is in the contract with the same wasm signature', () => {
  assert.equal(importProblems(releaseWasm), []);
  // Cross-check the reader against the JS API on the same module.
  assert.equal(signatures(releaseWasm).imports.map((i) => i.name),
    WebAssembly.Module.imports(new WebAssembly.Module(releaseWasm)).map((i) => i.name));
});

test('the import check fires: undeclared import, wrong module, wrong signature', () => {
  assert.equal(importProblems(wat('(import "hal" "hal_log" (func (param i32 i32 i32) (result i32)))')), []);
  const p = importProblems(wat(`(import "hal" "hal_beep" (func (result i32)))
    (import "env" "hal_log" (func (param i32 i32 i32) (result i32)))
    (import "hal" "hal_net_close" (func (param i32)))`));
  assert.is(p.length, 3, p.join('; '));
});

test('the generated AssemblyScript declarations compile to exactly the contract imports', async () => {
  // The core does not call every import yet, so a probe calls them all.
  const calls = contract.imports.map((i) => `  s += hal.${i.name}(${wasmParams(i.params).map(() => '0').join(', ')});`);
  const probe = `import * as hal from "./hal.generated";\nexport function probe(): i32 {\n  let s: i32 = 0;\n${calls.join('\n')}\n  return s;\n}\n`;
  const { error, binary, stderr } = await asc.compileString(
    { 'probe.ts': probe, 'hal.generated.ts': readFileSync(join(root, OUTPUTS.as), 'utf8') },
    { runtime: 'stub', use: ['abort='], optimizeLevel: 0 },
  );
  assert.is(error, null, stderr.toString());
  const got = signatures(binary!).imports.map((i) => ({ module: i.module, name: i.name, sig: i.sig }));
  const want = contract.imports.map((i) => ({ module: contract.module, name: i.name, sig: importSig(i) }));
  const key = (x: { name: string }) => x.name;
  assert.equal(got.sort((a, b) => key(a).localeCompare(key(b))), want.sort((a, b) => key(a).localeCompare(key(b))));
});

// ---- (c) the core's exports are the contract's ----

/** Differences between a module's exports and contract.exports + exports_memory, both directions. */
function exportProblems(bytes: Uint8Array): string[] {
  const actual = signatures(bytes).exports;
  const declared = new Set([...contract.exports.map((e) => e.name), ...contract.exports_memory]);
  const missing = [...declared].filter((n) => !actual.some((e) => e.name === n));
  const extra = actual.map((e) => e.name).filter((n) => !declared.has(n));
  const wrong = contract.exports.flatMap((e) => {
    const sig = actual.find((a) => a.name === e.name)?.sig;
    const want = { params: wasmParams(e.params), results: e.result === 'void' ? [] : ['i32'] };
    return sig && JSON.stringify(sig) !== JSON.stringify(want) ? [`${e.name}: ${JSON.stringify(sig)} != ${JSON.stringify(want)}`] : [];
  });
  const problems = [
    ...(missing.length ? [`declared in hal/contract.json but not exported by the core: ${missing.join(', ')}`] : []),
    ...(extra.length ? [`exported by the core but not declared in hal/contract.json: ${extra.join(', ')}`] : []),
    ...wrong,
  ];
  return problems;
}

test('the export check fires: missing, extra and mis-typed exports', () => {
  const p = exportProblems(wat('(memory (export "memory") 1) (func (export "fw_io_wipe") (result i32) (i32.const 0)) (func (export "debug_peek"))'));
  assert.ok(p.some((x) => x.startsWith('declared') && x.includes('fw_init') && x.includes('__heap_base')), p.join('; '));
  assert.ok(p.some((x) => x.startsWith('exported') && x.includes('debug_peek')), p.join('; '));
  assert.ok(p.some((x) => x.startsWith('fw_io_wipe:')), p.join('; '));
});

// Red while the protocol entry points (fw_init, fw_step, fw_on_packet, ...) are
// declared in the contract but not yet in firmware/index.ts.
test('the release core exports exactly contract.exports + exports_memory, with matching signatures', () => {
  const problems = exportProblems(releaseWasm);
  assert.equal(problems, [], problems.join('\n'));
});

// ---- (d) bindHal: bounds, minimums, errors ----

const PAGE = 65536;

/** A HalImpl whose every method records its call and returns HAL_OK. */
function spyImpl(): { impl: HalImpl; calls: string[] } {
  const calls: string[] = [];
  const impl = Object.fromEntries(contract.imports.map((i) => [i.name, () => { calls.push(i.name); return HAL_OK; }]));
  return { impl: impl as unknown as HalImpl, calls };
}

/** Valid wasm arguments for an import: each buffer at offset 0 with its minimum length (or 1). */
function validArgs(i: Contract['imports'][number]): number[] {
  return i.params.flatMap((p) => (p.type === 'buf' ? [0, Math.max(p.min ?? 0, 1)] : [0]));
}

test('bindHal: a valid call reaches the implementation', () => {
  const { impl, calls } = spyImpl();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const hal = bindHal(impl, () => memory);
  for (const i of contract.imports) assert.is(hal[i.name](...validArgs(i)), HAL_OK, i.name);
  assert.equal(calls, contract.imports.map((i) => i.name));
});

test('bindHal: out-of-range pointers/lengths and short buffers are HAL_EINVAL, the implementation never called', () => {
  const { impl, calls } = spyImpl();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const hal = bindHal(impl, () => memory);
  let cases = 0;
  for (const i of contract.imports) {
    let slot = 0;
    for (const p of i.params) {
      const at = slot;
      slot += p.type === 'buf' ? 2 : 1;
      if (p.type !== 'buf') continue;
      const min = p.min ?? 0;
      const bad: [number, number][] = [
        [PAGE, Math.max(min, 1)], // starts at the end
        [PAGE - 1, Math.max(min, 2)], // runs past the end
        [-1, Math.max(min, 1)], // i32 -1 is address 0xffffffff
        [0, -1], // length 0xffffffff
        [0x7fffffff, 0x7fffffff], // would wrap in 32-bit arithmetic
      ];
      if (min > 0) bad.push([0, min - 1]);
      for (const [ptr, len] of bad) {
        const args = validArgs(i);
        args[at] = ptr;
        args[at + 1] = len;
        assert.is(hal[i.name](...args), HAL_EINVAL, `${i.name}(${p.name} = ${ptr}, ${len})`);
        cases++;
      }
    }
  }
  assert.equal(calls, []);
  assert.ok(cases > 40);
  // The last byte and an empty buffer at the very end are in range.
  assert.is(hal.hal_rng_fill(PAGE - 1, 1), HAL_OK);
  assert.is(hal.hal_rng_fill(PAGE, 0), HAL_OK);
});

test('bindHal: views are the memory itself; throws and non-i32 results become HAL_EIO; absent accelerators HAL_ENOTSUP', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const logged: string[] = [];
  const { impl } = spyImpl();
  impl.hal_rng_fill = (out) => { out.fill(0xab); return HAL_OK; };
  impl.hal_log = () => { throw new Error('board on fire'); };
  impl.hal_capabilities = () => 1.5;
  delete impl.hal_accel_sha256;
  const hal = bindHal(impl, () => memory, (what) => logged.push(what));
  assert.is(hal.hal_rng_fill(100, 4), HAL_OK);
  assert.equal([...new Uint8Array(memory.buffer, 99, 6)], [0, 0xab, 0xab, 0xab, 0xab, 0]);
  assert.is(hal.hal_log(0, 0, 1), HAL_EIO);
  assert.is(hal.hal_capabilities(), HAL_EIO);
  assert.equal(logged, ['hal_log', 'hal_capabilities']);
  assert.is(hal.hal_accel_sha256(0, 0, 0, 32), HAL_ENOTSUP);
  const { impl: partial } = spyImpl();
  delete (partial as Partial<HalImpl>).hal_rng_fill;
  assert.throws(() => bindHal(partial, () => memory), /lacks hal_rng_fill/);
});

// ---- (e) the simulated board: accelerators equal @noble ----

const accelSim = new SimHal({ accel: true });

test('sim: capabilities follow the accel option; switched-off accelerators answer HAL_ENOTSUP', () => {
  assert.is(new SimHal().hal_capabilities(), 0);
  assert.is(accelSim.hal_capabilities(), HAL_CAP_X25519 | HAL_CAP_CHACHA20_POLY1305 | HAL_CAP_SHA256 | HAL_CAP_AES_BLOCK);
  const some = new SimHal({ accel: { sha256: true, aes: true } });
  assert.is(some.hal_capabilities(), HAL_CAP_SHA256 | HAL_CAP_AES_BLOCK);
  assert.is(some.hal_accel_x25519(new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)), HAL_ENOTSUP);
  const b = new Uint8Array(48);
  assert.is(some.hal_accel_aead_seal(b.subarray(0, 32), b.subarray(0, 12), b.subarray(0, 0), b.subarray(0, 0), b.subarray(0, 16)), HAL_ENOTSUP);
});

test('sim accel: X25519 equals @noble (random, high-bit and non-canonical u, small-order u gives zeros)', () => {
  const r = rng('hal-x25519');
  const out = new Uint8Array(32);
  for (let n = 0; n < 48; n++) {
    const s = r.bytes(32);
    const u = r.bytes(32);
    if (n % 3 === 0) u[31] |= 0x80; // bit 255 must be ignored
    if (n === 1) { u.fill(0xff); u[0] = 0xef + r.int(16); u[31] = 0x7f; } // p + 2 .. p + 17: non-canonical, reduced mod p
    assert.is(accelSim.hal_accel_x25519(out, s, u), HAL_OK);
    assert.is(toHex(out), toHex(x25519.scalarMult(s, u)), `case ${n}`);
  }
  for (const u of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
    out.fill(7);
    assert.is(accelSim.hal_accel_x25519(out, r.bytes(32), u), HAL_OK);
    assert.is(toHex(out), '00'.repeat(32));
  }
});

test('sim accel: ChaCha20-Poly1305 equals @noble for lengths 0..96, opens, refuses a forgery with zeroed output', () => {
  const r = rng('hal-aead');
  for (let len = 0; len <= 96; len++) {
    const key = r.bytes(32);
    const nonce = r.bytes(12);
    const aad = r.bytes(r.int(40));
    const pt = r.bytes(len);
    const sealed = new Uint8Array(len + 16);
    assert.is(accelSim.hal_accel_aead_seal(key, nonce, aad, pt, sealed), HAL_OK);
    assert.is(toHex(sealed), toHex(chacha20poly1305(key, nonce, aad).encrypt(pt)), `seal len ${len}`);
    const opened = new Uint8Array(len);
    assert.is(accelSim.hal_accel_aead_open(key, nonce, aad, sealed, opened), HAL_OK);
    assert.is(toHex(opened), toHex(pt));
    sealed[r.int(sealed.length)] ^= 1 << r.int(8);
    opened.fill(0x55);
    assert.is(accelSim.hal_accel_aead_open(key, nonce, aad, sealed, opened), HAL_EINVAL, `forgery len ${len}`);
    assert.ok(opened.every((x) => x === 0));
  }
  // In place, as the core seals: out overlaps pt.
  const key = r.bytes(32), nonce = r.bytes(12), pt = r.bytes(50);
  const buf = new Uint8Array(66);
  buf.set(pt);
  assert.is(accelSim.hal_accel_aead_seal(key, nonce, new Uint8Array(0), buf.subarray(0, 50), buf), HAL_OK);
  assert.is(toHex(buf), toHex(chacha20poly1305(key, nonce).encrypt(pt)));
  assert.is(accelSim.hal_accel_aead_seal(key, nonce, new Uint8Array(0), pt, new Uint8Array(65)), HAL_EINVAL, 'out must be pt + 16');
});

test('sim accel: SHA-256 equals @noble for lengths 0..200', () => {
  const r = rng('hal-sha256');
  const out = new Uint8Array(32);
  for (let len = 0; len <= 200; len++) {
    const m = r.bytes(len);
    assert.is(accelSim.hal_accel_sha256(m, out), HAL_OK);
    assert.is(toHex(out), toHex(sha256(m)), `len ${len}`);
  }
});

test('sim accel: AES-256 block, FIPS 197 appendix C.3', () => {
  const out = new Uint8Array(16);
  const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  assert.is(accelSim.hal_accel_aes256_block(key, fromHex('00112233445566778899aabbccddeeff'), out), HAL_OK);
  assert.is(toHex(out), '8ea2b7ca516745bfeafc49904b496089');
});

test('sim accel through bindHal and a wasm memory gives the same bytes', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const m = new Uint8Array(memory.buffer);
  const hal = bindHal(accelSim, () => memory);
  m.set(new TextEncoder().encode('abc'), 1000);
  assert.is(hal.hal_accel_sha256(1000, 3, 2000, 32), HAL_OK);
  assert.is(toHex(m.subarray(2000, 2032)), toHex(sha256(new TextEncoder().encode('abc'))));
});

// ---- the simulated board's other services ----

test('sim: injected clock (never backwards), injected randomness, log and control sinks', () => {
  let now = 1234.9;
  const lines: string[] = [];
  const controls: [number, string][] = [];
  const sim = new SimHal({
    clock: { now: () => now }, random: (out) => out.fill(9), log: (level, msg) => lines.push(`${level}:${msg}`),
    onControl: (feed, body) => controls.push([feed, toHex(body)]),
  });
  const t = new Uint8Array(8);
  const ms = () => new DataView(t.buffer).getBigUint64(0, true);
  assert.is(sim.hal_clock_now_ms(t), HAL_OK);
  assert.is(ms(), 1234n);
  now = 1000;
  sim.hal_clock_now_ms(t);
  assert.is(ms(), 1234n, 'a clock going backwards is held');
  now = 2 ** 40;
  sim.hal_clock_now_ms(t);
  assert.is(ms(), 2n ** 40n);
  const r = new Uint8Array(5);
  sim.hal_rng_fill(r);
  assert.equal([...r], [9, 9, 9, 9, 9]);
  sim.hal_log(2, new TextEncoder().encode('hello'));
  assert.equal(lines, ['2:hello']);
  const body = Uint8Array.of(1, 2);
  sim.hal_control_deliver(7, body);
  body[0] = 99; // the sink got a copy
  assert.equal(controls, [[7, '0102']]);
  assert.is(sim.hal_net_open(0, new TextEncoder().encode('127.0.0.1'), 9), HAL_EIO, 'no network by default');
});

for (const kind of ['map', 'dir'] as const) {
  test(`sim storage (${kind}): put, get, too-small buffer, delete, missing key`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealink-store-'));
    try {
      const sim = new SimHal({ storage: kind === 'map' ? new Map() : { dir } });
      const key = new TextEncoder().encode('identity');
      const out = new Uint8Array(8);
      assert.is(sim.hal_storage_get(key, out), HAL_ENOENT);
      assert.is(sim.hal_storage_put(key, Uint8Array.of(1, 2, 3)), HAL_OK);
      assert.is(sim.hal_storage_put(key, Uint8Array.of(4, 5, 6, 7)), HAL_OK);
      assert.is(sim.hal_storage_get(key, out), 4);
      assert.equal([...out.subarray(0, 4)], [4, 5, 6, 7]);
      assert.is(sim.hal_storage_get(key, new Uint8Array(3)), HAL_EINVAL);
      if (kind === 'dir') {
        assert.equal(readdirSync(dir), [`k-${toHex(key)}`], 'no temp file left behind');
        assert.is(new SimHal({ storage: { dir } }).hal_storage_get(key, out), 4, 'survives a reboot');
      }
      assert.is(sim.hal_storage_delete(key), HAL_OK);
      assert.is(sim.hal_storage_delete(key), HAL_OK);
      assert.is(sim.hal_storage_get(key, out), HAL_ENOENT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A fake core: a memory with a receive buffer at 256 of `room` bytes, recording fw_on_packet. */
function fakeCore(room: number) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const got: { handle: number; hex: string }[] = [];
  const exports: CoreRx = {
    memory, fw_rx_ptr: () => 256, fw_rx_bytes: () => room,
    fw_on_packet: (handle, len) => { got.push({ handle, hex: toHex(new Uint8Array(memory.buffer, 256, len)) }); return HAL_OK; },
  };
  return { exports: exports as unknown as WebAssembly.Exports, got };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'timed out');
};

test('sim network: refuses non-loopback addresses and names; UDP datagrams reach fw_on_packet', async () => {
  const sim = new SimHal({ network: true, log: () => {} });
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.is(sim.hal_net_open(0, enc('8.8.8.8'), 53), HAL_EINVAL);
  assert.is(sim.hal_net_open(0, enc('example.com'), 53), HAL_EINVAL);
  assert.is(sim.hal_net_send(42, enc('x')), HAL_ENOENT);
  const core = fakeCore(64);
  sim.attach(core.exports);
  const server = createSocket('udp4');
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  server.on('message', (msg, from) => server.send(Buffer.concat([Buffer.from('re:'), msg]), from.port, from.address));
  try {
    const h = sim.hal_net_open(0, enc('127.0.0.1'), server.address().port);
    assert.ok(h >= 0);
    assert.is(sim.hal_net_send(h, enc('ping')), 4);
    await until(() => core.got.length === 1);
    assert.equal(core.got, [{ handle: h, hex: toHex(enc('re:ping')) }]);
    assert.is(sim.hal_net_send(h, new Uint8Array(70)), 70); // the 73-byte echo exceeds the 64-byte buffer: dropped whole
    assert.is(sim.hal_net_send(h, enc('b')), 1);
    await until(() => core.got.length === 2);
    assert.is(core.got[1].hex, toHex(enc('re:b')));
    assert.is(sim.hal_net_close(h), HAL_OK);
    assert.is(sim.hal_net_close(h), HAL_ENOENT);
  } finally {
    sim.close();
    server.close();
  }
});

test('sim network: TCP chunks reach fw_on_packet in order, split to the receive buffer', async () => {
  const sim = new SimHal({ network: true, log: () => {} });
  const core = fakeCore(16);
  sim.attach(core.exports);
  const server = createServer((s) => s.on('data', (d) => s.write(Buffer.concat([d, d]))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const h = sim.hal_net_open(1, new TextEncoder().encode('localhost'), (server.address() as AddressInfo).port);
    const msg = new TextEncoder().encode('0123456789abcdefghij'); // echoed twice: 40 bytes
    assert.is(sim.hal_net_send(h, msg), msg.length);
    await until(() => core.got.reduce((n, g) => n + g.hex.length / 2, 0) === 40);
    assert.ok(core.got.every((g) => g.handle === h && g.hex.length <= 32));
    assert.is(core.got.map((g) => g.hex).join(''), toHex(msg) + toHex(msg));
  } finally {
    sim.close();
    server.close();
  }
});

/**
 * A fake core that reassembles 2-byte-length-framed messages in its receive
 * buffer the way firmware/protocol/tcp.ts does: a partial message stays at
 * the buffer's start and fw_rx_ptr / fw_rx_bytes name the space after it, so
 * the window moves and shrinks between receives. It records every complete
 * message and every receive longer than the room it had offered.
 */
function reassemblingCore(cap: number) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const RX = 256;
  const CANARY = 0x5a;
  new Uint8Array(memory.buffer).fill(CANARY, RX + cap, RX + cap + 4096);
  let pending = 0;
  const messages: string[] = [];
  const overruns: string[] = [];
  const exports: CoreRx = {
    memory,
    fw_rx_ptr: () => RX + pending,
    fw_rx_bytes: () => cap - pending,
    fw_on_packet: (_handle, len) => {
      if (len > cap - pending) overruns.push(`${len} bytes received with room for ${cap - pending}`);
      const m = new Uint8Array(memory.buffer);
      pending = Math.min(cap, pending + len);
      let at = 0;
      while (pending - at >= 2 && pending - at >= 2 + ((m[RX + at] << 8) | m[RX + at + 1])) {
        const n = (m[RX + at] << 8) | m[RX + at + 1];
        messages.push(toHex(m.subarray(RX + at + 2, RX + at + 2 + n)));
        at += 2 + n;
      }
      m.copyWithin(RX, RX + at, RX + pending);
      pending -= at;
      return HAL_OK;
    },
  };
  const canaryIntact = () => new Uint8Array(memory.buffer, RX + cap, 4096).every((b) => b === CANARY);
  return { exports: exports as unknown as WebAssembly.Exports, messages, overruns, canaryIntact };
}

test('sim network: one large TCP chunk of many frames: fw_rx_ptr/fw_rx_bytes asked before every piece, no overrun', async () => {
  const sim = new SimHal({ network: true, log: () => {} });
  const cap = 300;
  const core = reassemblingCore(cap);
  sim.attach(core.exports);
  // Bodies up to cap - 2, so every message fits the buffer whole (as the core's
  // 1.5 KB buffer fits its largest message); ~9 KB in one write, which loopback
  // hands over in chunks far larger than the 300-byte window.
  const r = rng('hal-tcp-frames');
  const bodies = Array.from({ length: 40 }, (_, i) => r.bytes(i % 5 === 0 ? cap - 2 : 1 + r.int(cap - 2)));
  const stream = Buffer.concat(bodies.map((b) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b])));
  const server = createServer((s) => s.end(stream));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  try {
    const h = sim.hal_net_open(1, new TextEncoder().encode('127.0.0.1'), (server.address() as AddressInfo).port);
    assert.ok(h >= 0);
    await until(() => core.messages.length === bodies.length || core.overruns.length > 0);
    assert.equal(core.overruns, [], 'the simulation copied more than fw_rx_bytes() offered');
    assert.ok(core.canaryIntact(), 'bytes written past the receive buffer');
    assert.equal(core.messages, bodies.map(toHex));
  } finally {
    sim.close();
    server.close();
  }
});

test('loadCore takes a HAL and attaches it to the instance', async () => {
  const attached: WebAssembly.Exports[] = [];
  class Spy extends SimHal {
    override attach(x: WebAssembly.Exports): void { attached.push(x); super.attach(x); }
  }
  const core = await loadCore({ hal: new Spy() });
  assert.is(attached.length, 1);
  assert.is(attached[0].memory, core.exports.memory);
  assert.is(toHex(core.sha256(new Uint8Array(0))), toHex(sha256(new Uint8Array(0))));
});

// ---- (5) the generated C compiles ----

const hasCc = spawnSync('gcc', ['--version']).status === 0;
const cc = (args: string[]) => spawnSync('gcc', args, { encoding: 'utf8' });

test('C: sealink_wamr_natives.c compiles with -std=c11 -Wall -Wextra -Werror (shim)', () => {
  if (!hasCc) { console.log('  (gcc not found: C compile check skipped)'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'sealink-cc-'));
  try {
    const r = cc(['-std=c11', '-Wall', '-Wextra', '-Werror', '-I', join(root, 'hal/c'), '-c',
      join(root, OUTPUTS.natives), '-o', join(dir, 'natives.o')]);
    assert.is(r.status, 0, r.stderr);
    if (spawnSync('g++', ['--version']).status === 0) {
      writeFileSync(join(dir, 'use.cpp'), '#include "sealink_hal.h"\nint main() { return HAL_OK; }\n');
      const cxx = spawnSync('g++', ['-Wall', '-Wextra', '-Werror', '-fsyntax-only', '-I', join(root, 'hal/c'), join(dir, 'use.cpp')], { encoding: 'utf8' });
      assert.is(cxx.status, 0, cxx.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('C: the real wasm_export.h wins over the shim when it is on the include path', () => {
  if (!hasCc) return;
  const dir = mkdtempSync(join(tmpdir(), 'sealink-cc-'));
  try {
    // Stand-in with WAMR's guards and layout; a second NativeSymbol definition would not compile.
    writeFileSync(join(dir, 'wasm_export.h'), [
      '#ifndef _WASM_EXPORT_H', '#define _WASM_EXPORT_H', '#include <stdint.h>',
      '#ifndef _LIB_EXPORT_H_', '#define _LIB_EXPORT_H_',
      'typedef struct NativeSymbol { const char *symbol; void *func_ptr; const char *signature; void *attachment; } NativeSymbol;',
      '#endif', 'struct WASMExecEnv;', 'typedef struct WASMExecEnv *wasm_exec_env_t;',
      'typedef int real_wamr_header_was_here;', '#endif', ''].join('\n'));
    const args = ['-std=c11', '-Wall', '-Wextra', '-Werror', '-I', dir, '-I', join(root, 'hal/c'), join(root, OUTPUTS.natives)];
    const pre = cc(['-E', ...args]);
    assert.is(pre.status, 0, pre.stderr);
    assert.ok(pre.stdout.includes('real_wamr_header_was_here'));
    const r = cc([...args, '-c', '-o', join(dir, 'natives.o')]);
    assert.is(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
