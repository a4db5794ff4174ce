// The ESP32 board's accelerators (boards/esp32-devkitc/main/board_accel.c,
// mbedTLS) give the core's results bit for bit, as hal/contract.json demands:
// built on the host against Debian's mbedTLS and compared with @noble and
// node:crypto on RFC vectors, the small-order X25519 inputs (all-zero output
// with HAL_OK), non-canonical u, and seeded random inputs of every AEAD length
// 0..300. Needs Debian's libmbedtls-dev and gcc.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ensureDebianPackages } from '../support/ensure-debian-tools.ts';
import { rng } from '../support/rng.ts';
import { ensureMbedtls } from './support.ts';

ensureDebianPackages(['gcc']);
ensureMbedtls();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'build/boards-test/accel');
const hex = (b: Uint8Array) => (b.length ? Buffer.from(b).toString('hex') : '-');
const P = (1n << 255n) - 19n;
const le32 = (n: bigint) => { const b = new Uint8Array(32); for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn); return b; };

let exe = '';

test('board_accel.c builds against mbedTLS', () => {
  mkdirSync(OUT, { recursive: true });
  exe = join(OUT, 'accel_check');
  const r = spawnSync('gcc', ['-std=gnu11', '-O1', '-Wall', '-Wextra', '-Werror', '-I', join(ROOT, 'hal/c'),
    join(ROOT, 'test/boards/accel_check.c'), join(ROOT, 'boards/esp32-devkitc/main/board_accel.c'),
    join(ROOT, 'boards/host/board_rng.c'), '-o', exe, '-lmbedcrypto'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

function run(lines: string[]): string[] {
  const r = spawnSync(exe, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n');
  assert.is(out[0], 'caps 15', 'all four accelerators are offered');
  return out.slice(1);
}

test('X25519 equals RFC 7748 and @noble, including small-order and non-canonical u', () => {
  const r = rng('accel-x25519');
  const cases: [Uint8Array, Uint8Array][] = [
    [Buffer.from('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'hex'),
      Buffer.from('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'hex')],
  ];
  // Small order (RFC 7748 §6.1 lists; libsodium's blocklist) and their non-canonical twins.
  const smallOrder = [0n, 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n,
    39382357235489614581723060781553021112529911719440698176882885853963445705823n, P - 1n, P, P + 1n];
  for (const u of smallOrder) cases.push([r.bytes(32), le32(u)]);
  for (let i = 0; i < 64; i++) {
    const u = r.bytes(32);
    if (i % 4 === 0) u[31] |= 0x80; // bit 255 set: ignored (RFC 7748 §5)
    cases.push([r.bytes(32), u]);
  }
  for (let i = 0; i < 8; i++) cases.push([r.bytes(32), le32(P + BigInt(2 + i))]); // non-canonical u
  const got = run(cases.map(([s, u]) => `x25519 ${hex(s)} ${hex(u)}`));
  cases.forEach(([s, u], i) => {
    let want: string;
    try {
      want = hex(x25519.scalarMult(s, u));
    } catch {
      want = '00'.repeat(32); // @noble refuses an all-zero result; the contract wants it written
    }
    assert.is(got[i], `0 ${want}`, `case ${i}: u=${hex(u)}`);
  });
  assert.is(got[0], '0 c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
});

test('ChaCha20-Poly1305 seal/open equal @noble for every length 0..300; a forged tag is refused and zeroed', () => {
  const r = rng('accel-aead');
  const cases = Array.from({ length: 301 }, (_, n) => ({ key: r.bytes(32), nonce: r.bytes(12), aad: r.bytes(n % 40), pt: r.bytes(n) }));
  const sealed = run(cases.map((c) => `seal ${hex(c.key)} ${hex(c.nonce)} ${hex(c.aad)} ${hex(c.pt)}`));
  cases.forEach((c, i) => assert.is(sealed[i], `0 ${hex(chacha20poly1305(c.key, c.nonce, c.aad).encrypt(c.pt))}`, `seal ${i}`));
  const opens = cases.map((c, i) => {
    const ct = chacha20poly1305(c.key, c.nonce, c.aad).encrypt(c.pt);
    if (i % 3 === 2) ct[ct.length - 1] ^= 1;
    return `open ${hex(c.key)} ${hex(c.nonce)} ${hex(c.aad)} ${hex(ct)}`;
  });
  const opened = run(opens);
  cases.forEach((c, i) => {
    const want = i % 3 === 2 ? `-1 ${c.pt.length ? '00'.repeat(c.pt.length) : '-'}` : `0 ${hex(c.pt)}`;
    assert.is(opened[i], want, `open ${i}`);
  });
});

test('SHA-256 and the AES-256 block equal node:crypto (and FIPS 197 C.3)', () => {
  const r = rng('accel-hash');
  const data = Array.from({ length: 200 }, (_, n) => r.bytes(n * 7));
  const hashes = run(data.map((d) => `sha256 ${hex(d)}`));
  data.forEach((d, i) => assert.is(hashes[i], `0 ${createHash('sha256').update(d).digest('hex')}`));
  const fips = run(['aes 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 00112233445566778899aabbccddeeff']);
  assert.is(fips[0], '0 8ea2b7ca516745bfeafc49904b496089');
  const blocks = Array.from({ length: 50 }, () => ({ key: r.bytes(32), block: r.bytes(16) }));
  const aes = run(blocks.map((b) => `aes ${hex(b.key)} ${hex(b.block)}`));
  blocks.forEach((b, i) => {
    const c = createCipheriv('aes-256-ecb', b.key, null).setAutoPadding(false);
    assert.is(aes[i], `0 ${Buffer.concat([c.update(b.block), c.final()]).toString('hex')}`);
  });
});

test.run();
