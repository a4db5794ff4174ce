// The node:crypto suite under cloud/noise gives the same bytes as @noble and
// the Wycheproof vectors: X25519 (incl. low-order points -> refused, as RFC 7748
// §6.1 asks), ChaCha20-Poly1305 for every length 0..300, HMAC and the Noise HKDF.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aeadOpen, aeadSeal, decrypt, dh, encrypt, generateKeyPair, hash, hkdf3, hmac, keyPairFromSecret, NoiseError } from '../cloud/noise/crypto.ts';
import { CipherState } from '../cloud/noise/cipher-state.ts';
import { fromHex, toHex } from './support/hex.ts';
import { rng } from './support/rng.ts';
import { wycheproof, field } from './support/vectors.ts';

test('X25519: Wycheproof vectors; all-zero shared secrets are refused', () => {
  let valid = 0, zero = 0;
  for (const g of wycheproof('x25519_test.json').testGroups) {
    for (const t of g.tests) {
      const kp = keyPairFromSecret(fromHex(field(t, 'private')));
      const shared = field(t, 'shared');
      if (/^0+$/.test(shared)) {
        assert.throws(() => dh(kp, fromHex(field(t, 'public'))), (e: Error) => e instanceof NoiseError, `tcId ${t.tcId}`);
        zero++;
      } else {
        assert.is(toHex(dh(kp, fromHex(field(t, 'public')))), shared, `tcId ${t.tcId}`);
        valid++;
      }
    }
  }
  assert.ok(valid > 400 && zero > 20, `${valid} / ${zero}`);
});

test('X25519: generated key pairs agree with @noble', () => {
  const r = rng('noise-x25519');
  for (let i = 0; i < 20; i++) {
    const a = generateKeyPair();
    const sk = r.bytes(32);
    const b = keyPairFromSecret(sk);
    assert.is(toHex(b.publicKey), toHex(x25519.getPublicKey(sk)));
    assert.is(toHex(dh(a, b.publicKey)), toHex(dh(b, a.publicKey)));
    assert.is(toHex(dh(b, a.publicKey)), toHex(x25519.getSharedSecret(sk, a.publicKey)));
  }
});

test('ChaCha20-Poly1305: lengths 0..300 against @noble, tamper fails', () => {
  const r = rng('noise-aead');
  for (let len = 0; len <= 300; len++) {
    const k = r.bytes(32); const ad = r.bytes(len % 40); const p = r.bytes(len);
    const n = r.u32() * (len % 3 === 0 ? 2 ** 20 : 1);
    const iv = new Uint8Array(12); new DataView(iv.buffer).setBigUint64(4, BigInt(n), true);
    const c = encrypt(k, n, ad, p);
    assert.is(toHex(c), toHex(chacha20poly1305(k, iv, ad).encrypt(p)), `len ${len}`);
    assert.is(toHex(decrypt(k, n, ad, c)!), toHex(p));
    const bad = c.slice(); bad[r.int(bad.length)] ^= 1 << r.int(8);
    assert.is(decrypt(k, n, ad, bad), null);
    assert.is(decrypt(k, n + 1, ad, c), null);
  }
});

test('ChaCha20-Poly1305: Wycheproof vectors (12-byte nonces)', () => {
  let ran = 0;
  for (const g of wycheproof('chacha20_poly1305_test.json').testGroups) {
    for (const t of g.tests) {
      const iv = fromHex(field(t, 'iv'));
      if (iv.length !== 12) continue;
      const [k, aad, msg] = [fromHex(field(t, 'key')), fromHex(field(t, 'aad')), fromHex(field(t, 'msg'))];
      const ct = fromHex(field(t, 'ct') + field(t, 'tag'));
      const opened = aeadOpen(k, iv, aad, ct);
      if (t.result === 'invalid') assert.is(opened, null, `tcId ${t.tcId}`);
      else {
        assert.is(toHex(opened!), toHex(msg), `tcId ${t.tcId}`);
        assert.is(toHex(aeadSeal(k, iv, aad, msg)), toHex(ct), `tcId ${t.tcId}`);
      }
      ran++;
    }
  }
  assert.ok(ran > 250, `ran ${ran}`);
});

test('CipherState.rekey matches REKEY() with the nonce 2^64 - 1 (via @noble)', () => {
  const k = rng('noise-rekey').bytes(32);
  const iv = fromHex('00000000ffffffffffffffff');
  const expected = chacha20poly1305(k, iv).encrypt(new Uint8Array(32)).subarray(0, 32);
  const cs = new CipherState(); cs.initializeKey(k); cs.rekey();
  const probe = new CipherState(); probe.initializeKey(expected);
  assert.is(toHex(cs.encryptWithAd(new Uint8Array(0), new Uint8Array(4))), toHex(probe.encryptWithAd(new Uint8Array(0), new Uint8Array(4))));
});

test('HASH, HMAC and the Noise HKDF against @noble', () => {
  const r = rng('noise-hash');
  for (let len = 0; len < 200; len += 7) {
    const a = r.bytes(len); const key = r.bytes(32);
    assert.is(toHex(hash(a)), toHex(sha256(a)));
    assert.is(toHex(hmac(key, a)), toHex(nobleHmac(sha256, key, a)));
    const temp = nobleHmac(sha256, key, a);
    const o1 = nobleHmac(sha256, temp, Uint8Array.of(1));
    const o2 = nobleHmac(sha256, temp, Uint8Array.from([...o1, 2]));
    const o3 = nobleHmac(sha256, temp, Uint8Array.from([...o2, 3]));
    assert.equal(hkdf3(key, a).map(toHex), [o1, o2, o3].map(toHex));
  }
});

test.run();
