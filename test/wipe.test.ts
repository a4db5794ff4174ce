// Secrets do not outlive a call: after each operation, no key, derived key,
// nonce or secret scalar in its byte form is left anywhere in the core's
// linear memory (the binding clears the exchange buffer; the core must wipe
// its own contexts and scratch). A stolen RAM dump after a call shows nothing.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { loadCore } from '../hal/node/core.ts';

const core = await loadCore();
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function leToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}
function bigToLe(x: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}
function clamp(k: Uint8Array): Uint8Array {
  const c = k.slice(0, 32);
  c[0] &= 248; c[31] &= 127; c[31] |= 64;
  return c;
}

/** Names of the secrets found in linear memory (by their first 16 bytes). */
function leftovers(secrets: Record<string, Uint8Array>): string[] {
  const memory = Buffer.from(core.exports.memory.buffer);
  return Object.entries(secrets)
    .filter(([, s]) => memory.indexOf(Buffer.from(s.subarray(0, 16))) !== -1)
    .map(([name]) => name);
}

test('the detector sees a secret that is still in memory', () => {
  const secret = randomBytes(32);
  const m = new Uint8Array(core.exports.memory.buffer);
  const at = core.exports.fw_io_ptr() + 100;
  m.set(secret, at);
  assert.equal(leftovers({ secret }), ['secret']);
  m.fill(0, at, at + 32);
  assert.equal(leftovers({ secret }), []);
});

test('AEAD seal and open leave neither the key nor the Poly1305 one-time key', () => {
  const key = randomBytes(32), nonce = randomBytes(12), aad = randomBytes(20), pt = randomBytes(300);
  const ct = core.aeadSeal(key, nonce, aad, pt);
  const otk = chacha20(key, nonce, new Uint8Array(32));
  assert.equal(leftovers({ key, otk, pt }), []);
  core.aeadOpen(key, nonce, aad, ct);
  assert.equal(leftovers({ key, otk, pt }), []);
});

test('HMAC and HKDF leave neither the key, the padded key nor the PRK', () => {
  const key = randomBytes(32), msg = randomBytes(100);
  core.hmacSha256(key, msg);
  const ipad = key.map((b) => b ^ 0x36), opad = key.map((b) => b ^ 0x5c);
  assert.equal(leftovers({ key, ipad, opad }), []);
  const ikm = randomBytes(32), salt = randomBytes(32);
  const prk = hmac(sha256, salt, ikm);
  const okm = core.hkdfSha256(ikm, salt, new Uint8Array(0), 64);
  assert.equal(leftovers({ ikm, salt, prk, okm }), []);
});

test('X25519 leaves neither the scalar, its clamped form nor the shared secret', () => {
  const a = randomBytes(32), b = randomBytes(32);
  const shared = core.x25519(a, core.x25519Base(b));
  assert.equal(leftovers({ a, clampedA: clamp(a), b, clampedB: clamp(b), shared }), []);
});

test('Ed25519 signing leaves neither the seed, the secret scalar, the prefix nor the nonce', () => {
  const seed = randomBytes(32), msg = randomBytes(64);
  core.ed25519Sign(seed, msg);
  const h = sha512(seed);
  const scalar = clamp(h);
  const prefix = h.slice(32);
  const r = bigToLe(leToBig(sha512(new Uint8Array([...prefix, ...msg]))) % L, 32);
  const x25519Secret = core.ed25519ToX25519Secret(seed);
  assert.equal(leftovers({ seed, rawScalar: h.slice(0, 32), scalar, prefix, r, x25519Secret }), []);
});

test.run();
