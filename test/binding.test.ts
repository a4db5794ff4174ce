// The Node binding's contract (hal/node/core.ts):
//  - TypeError for a non-Uint8Array argument, RangeError for a wrong fixed length, a bad
//    HKDF length, and one-shot inputs that overflow the 8192-byte exchange buffer;
//  - every variable-length argument accepts exactly 2048 bytes (4 x 2048 fill the buffer);
//  - nothing is left in the exchange buffer after a call that carried keys;
//  - STATUS mirrors firmware/status.ts;
//  - plain Node (no tsx) resolves the package self-reference `sealink/core` to the bundle.
// The argument-contract tests also run on the noble platform (it must follow the same contract).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CoreError, STATUS, type Core } from '../hal/node/core.ts';
import { API_FUNCTIONS, EXCHANGE_BYTES, PLATFORM_NAMES, platform, sharedCore, type Platform } from './support/platform.ts';
import { nobleRef, nodeRef } from './support/refs.ts';
import { rng } from './support/rng.ts';
import { equalBytes, toHex } from './support/hex.ts';
import { describeError } from './support/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const test = suite('binding');

interface Signature {
  fn: (typeof API_FUNCTIONS)[number];
  /** Valid arguments; `number` marks HKDF's length. */
  args: () => unknown[];
  /** Fixed byte lengths per argument position (undefined = any length / not bytes). */
  fixed: (number | undefined)[];
}

const r = rng('binding');
const B = (n: number) => r.bytes(n);
const SIGNATURES: Signature[] = [
  { fn: 'sha256', args: () => [B(10)], fixed: [undefined] },
  { fn: 'sha512', args: () => [B(10)], fixed: [undefined] },
  { fn: 'hmacSha256', args: () => [B(32), B(10)], fixed: [undefined, undefined] },
  { fn: 'hkdfSha256', args: () => [B(32), B(16), B(8), 42], fixed: [undefined, undefined, undefined, undefined] },
  { fn: 'aeadSeal', args: () => [B(32), B(12), B(5), B(20)], fixed: [32, 12, undefined, undefined] },
  { fn: 'aeadOpen', args: () => [B(32), B(12), B(5), B(40)], fixed: [32, 12, undefined, undefined] },
  { fn: 'x25519', args: () => [B(32), B(32)], fixed: [32, 32] },
  { fn: 'x25519Base', args: () => [B(32)], fixed: [32] },
  { fn: 'ed25519PublicKey', args: () => [B(32)], fixed: [32] },
  { fn: 'ed25519Sign', args: () => [B(32), B(10)], fixed: [32, undefined] },
  { fn: 'ed25519Verify', args: () => [B(32), B(10), B(64)], fixed: [32, undefined, 64] },
  { fn: 'ed25519ToX25519Public', args: () => [B(32)], fixed: [32] },
  { fn: 'ed25519ToX25519Secret', args: () => [B(32)], fixed: [32] },
];

function invoke(p: Platform, fn: Signature['fn'], args: unknown[]): unknown {
  return (p[fn] as (...a: unknown[]) => unknown)(...args);
}

/** The error `f` throws, or a failure if it returns. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Equal bytes, or an assertion error showing both. */
function same(got: Uint8Array | null, want: Uint8Array): void {
  assert.ok(got !== null && equalBytes(got, want), `got ${got === null ? 'null' : toHex(got.subarray(0, 40))}..., want ${toHex(want.subarray(0, 40))}...`);
}
function rangeError(f: () => unknown): void {
  const e = thrown(f);
  assert.ok(e instanceof RangeError, `want RangeError, got ${e === undefined ? 'no error' : describeError(e)}`);
}
/** Runs every check and lists the ones that failed (so one trap does not hide the rest). */
function collect(checks: [string, () => void][]): string[] {
  const problems: string[] = [];
  for (const [label, f] of checks) {
    try {
      f();
    } catch (e) {
      problems.push(`${label}: ${describeError(e)}`);
    }
  }
  return problems;
}

const NOT_BYTES: [string, unknown][] = [
  ['undefined', undefined], ['null', null], ['a string', 'abc'], ['a number', 42], ['an array', [1, 2, 3]],
  ['an ArrayBuffer', new ArrayBuffer(32)], ['a DataView', new DataView(new ArrayBuffer(32))],
  ['a Uint16Array', new Uint16Array(16)], ['an Int8Array', new Int8Array(32)], ['a Uint8ClampedArray', new Uint8ClampedArray(32)],
];

test('the signature table covers every API function', () => {
  assert.equal(SIGNATURES.map((s) => s.fn).sort(), [...API_FUNCTIONS].sort());
});

for (const name of PLATFORM_NAMES) {
  test(`${name}: TypeError for every non-Uint8Array argument of every function`, async () => {
    const p = await platform(name);
    const bad: string[] = [];
    for (const s of SIGNATURES) {
      const valid = s.args();
      valid.forEach((v, i) => {
        if (!(v instanceof Uint8Array)) return;
        for (const [label, value] of NOT_BYTES) {
          const args = [...valid];
          args[i] = value;
          const e = thrown(() => invoke(p, s.fn, args));
          if (!(e instanceof TypeError)) bad.push(`${s.fn} arg ${i} = ${label}: ${e === undefined ? 'accepted' : describeError(e)}`);
        }
      });
    }
    assert.equal(bad, []);
  });

  test(`${name}: HKDF length must be an integer (TypeError) in 0..8160 (RangeError)`, async () => {
    const p = await platform(name);
    const [ikm, salt, info] = [B(16), B(16), B(16)];
    for (const len of [1.5, '32', NaN, Infinity, null, 32n]) {
      const e = thrown(() => p.hkdfSha256(ikm, salt, info, len as number));
      assert.ok(e instanceof TypeError, `length ${String(len)}: ${describeError(e)}`);
    }
    for (const len of [-1, 8161, 2 ** 31]) {
      const e = thrown(() => p.hkdfSha256(ikm, salt, info, len));
      assert.ok(e instanceof RangeError, `length ${len}: ${describeError(e)}`);
    }
  });

  test(`${name}: Buffer (a Uint8Array subclass) is accepted`, async () => {
    const p = await platform(name);
    const m = Buffer.from('abc');
    assert.is(toHex(p.sha256(m)), toHex(nodeRef.sha256(m)));
  });

  test(`${name}: RangeError for every wrong fixed length`, async () => {
    const p = await platform(name);
    const bad: string[] = [];
    for (const s of SIGNATURES) {
      const valid = s.args();
      s.fixed.forEach((n, i) => {
        if (n === undefined) return;
        for (const len of [0, n - 1, n + 1, 2 * n]) {
          const args = [...valid];
          args[i] = B(len);
          const e = thrown(() => invoke(p, s.fn, args));
          if (!(e instanceof RangeError)) bad.push(`${s.fn} arg ${i} of ${len} bytes: ${e === undefined ? 'accepted' : describeError(e)}`);
        }
      });
    }
    for (const len of [0, 1, 15]) {
      const e = thrown(() => p.aeadOpen(B(32), B(12), B(0), B(len)));
      if (!(e instanceof RangeError)) bad.push(`aeadOpen ciphertextAndTag of ${len} bytes: ${describeError(e)}`);
    }
    assert.equal(bad, []);
  });

  test(`${name}: one-shot inputs that fill the exchange buffer exactly are accepted and correct; one byte more is a RangeError`, async () => {
    const p = await platform(name);
    const X = EXCHANGE_BYTES;
    const key = B(32), nonce = B(12), seed = B(32);
    const pub = nobleRef.ed25519PublicKey(seed);
    const [salt, info, aad] = [B(100), B(100), B(10)];
    const smallIkm = B(10);
    const ikm = B(X - 100 - 100); // hkdf: info + max(salt + ikm, output); the output may overwrite salt and ikm
    const pt = B(X - 32 - 12 - 10 - 16); // aeadSeal: key + nonce + aad + plaintext + tag
    const sealed = nodeRef.aeadSeal(key, nonce, aad, pt);
    const aadOpen = B(X - 32 - 12 - sealed.length); // aeadOpen: key + nonce + aad + ciphertext||tag
    const sealedOpen = nodeRef.aeadSeal(key, nonce, aadOpen, pt);
    const msg = B(X - 32 - 64); // ed25519Sign/Verify: seed or public key + signature + message
    const sig = nobleRef.ed25519Sign(seed, msg);
    const problems = collect([
      ['hkdf at the limit', () => same(p.hkdfSha256(ikm, salt, info, 64), nobleRef.hkdfSha256(ikm, salt, info, 64))],
      ['hkdf one over', () => rangeError(() => p.hkdfSha256(B(ikm.length + 1), salt, info, 64))],
      ['hkdf output at the limit', () => same(p.hkdfSha256(smallIkm, salt, info, X - 100), nobleRef.hkdfSha256(smallIkm, salt, info, X - 100))],
      ['hkdf output one over', () => rangeError(() => p.hkdfSha256(smallIkm, salt, info, X - 99))],
      ['aeadSeal at the limit', () => same(p.aeadSeal(key, nonce, aad, pt), sealed)],
      ['aeadSeal one over', () => rangeError(() => p.aeadSeal(key, nonce, B(11), pt))],
      ['aeadOpen at the limit', () => same(p.aeadOpen(key, nonce, aadOpen, sealedOpen), pt)],
      ['aeadOpen one over', () => rangeError(() => p.aeadOpen(key, nonce, B(aadOpen.length + 1), sealedOpen))],
      ['ed25519Sign at the limit', () => same(p.ed25519Sign(seed, msg), sig)],
      ['ed25519Verify at the limit', () => assert.ok(p.ed25519Verify(pub, msg, sig))],
      ['ed25519Sign one over', () => rangeError(() => p.ed25519Sign(seed, B(msg.length + 1)))],
      ['ed25519Verify one over', () => rangeError(() => p.ed25519Verify(pub, B(msg.length + 1), sig))],
    ]);
    assert.equal(problems, []);
  });

  test(`${name}: hashes and HMAC have no size limit (streamed): 3 x 8192 + 1 bytes, and a key larger than the buffer`, async () => {
    const p = await platform(name);
    const m = B(3 * EXCHANGE_BYTES + 1);
    assert.equal(collect([
      ['sha256', () => same(p.sha256(m), nodeRef.sha256(m))],
      ['sha512', () => same(p.sha512(m), nodeRef.sha512(m))],
      ['hmacSha256', () => same(p.hmacSha256(m, m), nodeRef.hmacSha256(m, m))],
    ]), []);
  });

  test(`${name}: exactly 2048-byte inputs are accepted (and correct) by every variable-length argument`, async () => {
    const p = await platform(name);
    const K = 2048;
    const [a, b, c] = [B(K), B(K), B(K)];
    const key = B(32), nonce = B(12), seed = B(32);
    const ct = nodeRef.aeadSeal(key, nonce, a, b.subarray(0, K - 16)); // 2048 bytes with the tag
    const sig = nobleRef.ed25519Sign(seed, a);
    const checks: [string, () => void][] = [
      ['sha256', () => same(p.sha256(a), nodeRef.sha256(a))],
      ['sha512', () => same(p.sha512(a), nodeRef.sha512(a))],
      ['hmacSha256 key and message', () => same(p.hmacSha256(a, b), nodeRef.hmacSha256(a, b))],
      // ikm, salt, info and output: 4 x 2048 fill the exchange buffer. (node:crypto's
      // hkdfSync caps info at 1024 bytes, so @noble is the reference here.)
      ['hkdfSha256 ikm, salt, info, output', () => same(p.hkdfSha256(a, b, c, K), nobleRef.hkdfSha256(a, b, c, K))],
      ['aeadSeal aad and plaintext', () => same(p.aeadSeal(key, nonce, a, b), nodeRef.aeadSeal(key, nonce, a, b))],
      ['aeadOpen aad and ciphertext||tag', () => { assert.is(ct.length, K); same(p.aeadOpen(key, nonce, a, ct), b.subarray(0, K - 16)); }],
      ['ed25519Sign message', () => same(p.ed25519Sign(seed, a), sig)],
      ['ed25519Verify message', () => assert.ok(p.ed25519Verify(nobleRef.ed25519PublicKey(seed), a, sig))],
    ];
    // the other functions take fixed-length arguments only: 2048 bytes there is a RangeError
    for (const s of SIGNATURES.filter((x) => x.fixed.every((n) => n !== undefined))) {
      checks.push([`${s.fn} with 2048-byte arguments`, () => rangeError(() => invoke(p, s.fn, s.args().map(() => B(K))))]);
    }
    assert.equal(collect(checks), []);
  });
}

// ---- core only ----

function exchange(core: Core): Uint8Array {
  const io = core.exports.fw_io_ptr();
  return new Uint8Array(core.exports.memory.buffer, io, core.exports.fw_io_bytes());
}
function residue(core: Core): string | null {
  const m = exchange(core);
  const i = m.findIndex((b) => b !== 0);
  return i < 0 ? null : `non-zero byte at offset ${i} of the exchange buffer`;
}

test('core: the exchange buffer is 8192 bytes (the limit every platform assumes)', async () => {
  const core = await sharedCore();
  assert.is(core.ioBytes, EXCHANGE_BYTES);
  assert.is(core.exports.fw_io_bytes(), EXCHANGE_BYTES);
});

test('core: the residue detector sees a byte left in the exchange buffer', async () => {
  const core = await sharedCore();
  core.exports.fw_io_wipe();
  assert.is(residue(core), null);
  exchange(core)[EXCHANGE_BYTES - 1] = 1;
  assert.ok(residue(core) !== null);
  core.exports.fw_io_wipe();
  assert.is(residue(core), null, 'fw_io_wipe zeroes the buffer');
});

test('core: nothing is left in the exchange buffer after calls that carry keys (success and failure paths)', async () => {
  const core = await sharedCore();
  const q = rng('binding/residue');
  const key = q.bytes(32), nonce = q.bytes(12), seed = q.bytes(32), scalar = q.bytes(32);
  const pub = nobleRef.ed25519PublicKey(seed);
  const sealed = nodeRef.aeadSeal(key, nonce, q.bytes(7), q.bytes(300));
  const sig = nobleRef.ed25519Sign(seed, q.bytes(50));
  const notAPoint = (() => {
    for (;;) {
      const b = q.bytes(32);
      try { nobleRef.toMontgomery(b); } catch { return b; }
    }
  })();
  const calls: [string, () => unknown][] = [
    ['hmacSha256 (short key)', () => core.hmacSha256(key, q.bytes(100))],
    ['hmacSha256 (key larger than the buffer, long message)', () => core.hmacSha256(q.bytes(9000), q.bytes(20000))],
    ['sha256 (long message)', () => core.sha256(q.bytes(20000))],
    ['sha512 (long message)', () => core.sha512(q.bytes(20000))],
    ['hkdfSha256', () => core.hkdfSha256(key, q.bytes(32), q.bytes(10), 200)],
    ['aeadSeal', () => core.aeadSeal(key, nonce, q.bytes(7), q.bytes(300))],
    ['aeadOpen (authentic)', () => core.aeadOpen(key, nonce, new Uint8Array(0), core.aeadSeal(key, nonce, new Uint8Array(0), q.bytes(64)))],
    ['aeadOpen (forged: returns null)', () => core.aeadOpen(key, nonce, q.bytes(7), sealed)],
    ['x25519', () => core.x25519(scalar, nobleRef.x25519Base(q.bytes(32)))],
    ['x25519 (low order: throws LOW_ORDER)', () => core.x25519(scalar, new Uint8Array(32))],
    ['x25519Base', () => core.x25519Base(scalar)],
    ['ed25519PublicKey', () => core.ed25519PublicKey(seed)],
    ['ed25519Sign', () => core.ed25519Sign(seed, q.bytes(100))],
    ['ed25519Verify (valid)', () => core.ed25519Verify(pub, q.bytes(50), sig)],
    ['ed25519Verify (invalid)', () => core.ed25519Verify(pub, q.bytes(51), sig)],
    ['ed25519ToX25519Public', () => core.ed25519ToX25519Public(pub)],
    ['ed25519ToX25519Public (not a point: throws INVALID_POINT)', () => core.ed25519ToX25519Public(notAPoint)],
    ['ed25519ToX25519Secret', () => core.ed25519ToX25519Secret(seed)],
  ];
  const problems: string[] = [];
  for (const [label, f] of calls) {
    core.exports.fw_io_wipe();
    try {
      f();
    } catch (e) {
      if (!(e instanceof CoreError && (e.code === 'LOW_ORDER' || e.code === 'INVALID_POINT'))) {
        problems.push(`${label}: threw ${describeError(e)}`);
        continue;
      }
    }
    const left = residue(core);
    if (left) problems.push(`${label}: ${left}`);
  }
  core.exports.fw_io_wipe();
  assert.equal(problems, []);
});

test('core: STATUS equals the constants of firmware/status.ts', () => {
  const source = readFileSync(new URL('../firmware/status.ts', import.meta.url), 'utf8');
  const parsed: Record<string, number> = {};
  for (const m of source.matchAll(/^export const STATUS_([A-Z_]+)\s*:\s*i32\s*=\s*(-?\d+)\s*;/gm)) parsed[m[1]] = Number(m[2]);
  assert.ok(Object.keys(parsed).length >= 4, `parsed ${JSON.stringify(parsed)} from firmware/status.ts`);
  assert.equal({ ...STATUS }, parsed);
});

test('core: plain Node resolves the package self-reference sealink/core to build/node/core.js and hashes', () => {
  const script = `
    import { loadCore } from 'sealink/core';
    const core = await loadCore();
    const digest = Buffer.from(core.sha256(new TextEncoder().encode('abc'))).toString('hex');
    console.log(JSON.stringify({ resolved: import.meta.resolve('sealink/core'), digest }));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no tsx or other loader: plain Node
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
  assert.is(child.status, 0, `node exited ${child.status}: ${child.stderr}`);
  const out = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { resolved: string; digest: string };
  assert.is(fileURLToPath(out.resolved), fileURLToPath(new URL('../build/node/core.js', import.meta.url)));
  // FIPS 180-2 Appendix B.1: SHA-256("abc")
  assert.is(out.digest, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test.run();
