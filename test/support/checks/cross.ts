// Seeded random cross-checks of a platform against @noble/* and node:crypto.
// Each returns a Report (see report.ts), so test/harness.test.ts can show that
// they catch a broken platform. Randomness comes from the caller's Prng (seeded,
// printed, replayable with SEALINK_SEED).

import type { Platform } from '../platform.ts';
import type { Prng } from '../rng.ts';
import { equalBytes, flipBit } from '../hex.ts';
import { nobleRef, nodeRef } from '../refs.ts';
import { CaseFailure, Run, describeError, expectBytes, expectFalse, expectNull, expectThrow, expectTrue, isCoreError, type Report } from '../report.ts';

/** Inclusive range lo..hi. */
function* lengths(lo: number, hi: number): Generator<number> {
  for (let n = lo; n <= hi; n++) yield n;
}

/** SHA-256 and SHA-512 of a random message of every length 0..maxLen. */
export function crossHashes(p: Platform, r: Prng, maxLen = 1024): Report {
  const run = new Run(`sha256/sha512, every length 0..${maxLen}`, maxLen + 1);
  for (const n of lengths(0, maxLen)) {
    run.case(`length ${n}`, () => {
      const m = r.bytes(n);
      const a = p.sha256(m);
      expectBytes('sha256 vs @noble', a, nobleRef.sha256(m));
      expectBytes('sha256 vs node:crypto', a, nodeRef.sha256(m));
      const b = p.sha512(m);
      expectBytes('sha512 vs @noble', b, nobleRef.sha512(m));
      expectBytes('sha512 vs node:crypto', b, nodeRef.sha512(m));
    });
  }
  return run.finish();
}

/** Hashes and HMAC of inputs around and beyond the exchange buffer (streamed in chunks by the binding). */
export function crossStreaming(p: Platform, r: Prng, sizes = [8191, 8192, 8193, 16384, 20000, 100000]): Report {
  const run = new Run(`streaming: ${sizes.join(', ')} bytes`, sizes.length);
  for (const n of sizes) {
    run.case(`${n} bytes`, () => {
      const m = r.bytes(n);
      expectBytes('sha256 vs node:crypto', p.sha256(m), nodeRef.sha256(m));
      expectBytes('sha512 vs node:crypto', p.sha512(m), nodeRef.sha512(m));
      const key = r.bytes(32);
      expectBytes('hmac (32-byte key) vs node:crypto', p.hmacSha256(key, m), nodeRef.hmacSha256(key, m));
      // a key larger than the exchange buffer: RFC 2104 §2 hashes it first
      expectBytes('hmac (key of the same size) vs node:crypto', p.hmacSha256(m, key), nodeRef.hmacSha256(m, key));
    });
  }
  return run.finish();
}

/** HMAC-SHA256 with every message length 0..maxLen (random keys 0..150 B) and every key length 0..maxLen. */
export function crossHmac(p: Platform, r: Prng, maxLen = 1024): Report {
  const run = new Run(`hmacSha256, every message and key length 0..${maxLen}`, 2 * (maxLen + 1));
  for (const n of lengths(0, maxLen)) {
    run.case(`message length ${n}`, () => {
      const key = r.bytes(r.int(151));
      const m = r.bytes(n);
      const mac = p.hmacSha256(key, m);
      expectBytes('vs @noble', mac, nobleRef.hmacSha256(key, m));
      expectBytes('vs node:crypto', mac, nodeRef.hmacSha256(key, m));
    });
    run.case(`key length ${n}`, () => {
      const key = r.bytes(n);
      const m = r.bytes(r.int(200));
      const mac = p.hmacSha256(key, m);
      expectBytes('vs @noble', mac, nobleRef.hmacSha256(key, m));
      expectBytes('vs node:crypto', mac, nodeRef.hmacSha256(key, m));
    });
  }
  return run.finish();
}

/** HKDF-SHA256 with every ikm length 0..maxLen and every output length 0..maxLen (random salt/info). */
export function crossHkdf(p: Platform, r: Prng, maxLen = 1024): Report {
  const run = new Run(`hkdfSha256, every ikm and output length 0..${maxLen}`, 2 * (maxLen + 1));
  const one = (ikm: Uint8Array, len: number) => {
    const salt = r.bytes(r.int(120));
    const info = r.bytes(r.int(120));
    const okm = p.hkdfSha256(ikm, salt, info, len);
    expectBytes('vs @noble', okm, nobleRef.hkdfSha256(ikm, salt, info, len));
    expectBytes('vs node:crypto', okm, nodeRef.hkdfSha256(ikm, salt, info, len));
  };
  for (const n of lengths(0, maxLen)) {
    run.case(`ikm length ${n}`, () => one(r.bytes(n), 1 + r.int(100)));
    run.case(`output length ${n}`, () => one(r.bytes(r.int(80)), n));
  }
  return run.finish();
}

/** ChaCha20-Poly1305 with every plaintext length 0..maxLen (random key, nonce, aad 0..100 B). */
export function crossAead(p: Platform, r: Prng, maxLen = 1024): Report {
  const run = new Run(`aeadSeal/aeadOpen, every plaintext length 0..${maxLen}`, maxLen + 1);
  for (const n of lengths(0, maxLen)) {
    run.case(`length ${n}`, () => {
      const key = r.bytes(32);
      const nonce = r.bytes(12);
      const aad = r.bytes(r.int(101));
      const pt = r.bytes(n);
      const sealed = p.aeadSeal(key, nonce, aad, pt);
      expectBytes('seal vs @noble', sealed, nobleRef.aeadSeal(key, nonce, aad, pt));
      expectBytes('seal vs node:crypto', sealed, nodeRef.aeadSeal(key, nonce, aad, pt));
      expectBytes('open(seal)', p.aeadOpen(key, nonce, aad, sealed), pt);
      expectBytes('node:crypto opens it', nodeRef.aeadOpen(key, nonce, aad, sealed), pt);
      // a wrong tag anywhere in the range of lengths
      expectNull('open with the last tag byte changed', p.aeadOpen(key, nonce, aad, flipBit(sealed, sealed.length * 8 - 1)));
    });
  }
  return run.finish();
}

/**
 * Every single-bit change of a short ct||tag (8-byte plaintext), of the aad (8 bytes), of
 * the nonce and of the key makes open return null; the unmodified inputs open.
 */
export function crossAeadTamper(p: Platform, r: Prng): Report {
  const key = r.bytes(32);
  const nonce = r.bytes(12);
  const aad = r.bytes(8);
  const pt = r.bytes(8);
  let sealed: Uint8Array = new Uint8Array(24);
  const bits = { sealed: 24 * 8, aad: 8 * 8, nonce: 12 * 8, key: 32 * 8 };
  const run = new Run('aeadOpen refuses every single-bit change', 1 + bits.sealed + bits.aad + bits.nonce + bits.key);
  run.case('unmodified', () => {
    sealed = p.aeadSeal(key, nonce, aad, pt);
    if (sealed.length !== 24) throw new CaseFailure(`sealed is ${sealed.length} bytes, want 24`);
    expectBytes('seal vs node:crypto', sealed, nodeRef.aeadSeal(key, nonce, aad, pt));
    expectBytes('open', p.aeadOpen(key, nonce, aad, sealed), pt);
  });
  for (let b = 0; b < bits.sealed; b++) run.case(`ct||tag bit ${b}`, () => expectNull('open', p.aeadOpen(key, nonce, aad, flipBit(sealed, b))));
  for (let b = 0; b < bits.aad; b++) run.case(`aad bit ${b}`, () => expectNull('open', p.aeadOpen(key, nonce, flipBit(aad, b), sealed)));
  for (let b = 0; b < bits.nonce; b++) run.case(`nonce bit ${b}`, () => expectNull('open', p.aeadOpen(key, flipBit(nonce, b), aad, sealed)));
  for (let b = 0; b < bits.key; b++) run.case(`key bit ${b}`, () => expectNull('open', p.aeadOpen(flipBit(key, b), nonce, aad, sealed)));
  return run.finish();
}

/**
 * X25519: `pairs` random key pairs (public keys and both sides of the shared secret vs
 * @noble and node:crypto), and `randomUs` random u strings (any 32 bytes: twist points,
 * top bit set, non-canonical values) against both references.
 */
export function crossX25519(p: Platform, r: Prng, pairs = 300, randomUs = 150): Report {
  const run = new Run(`x25519, ${pairs} random key pairs and ${randomUs} random u`, pairs + randomUs);
  for (let i = 0; i < pairs; i++) {
    run.case(`pair ${i}`, () => {
      const a = r.bytes(32);
      const b = r.bytes(32);
      const A = p.x25519Base(a);
      const B = p.x25519Base(b);
      expectBytes('x25519Base vs @noble', A, nobleRef.x25519Base(a));
      expectBytes('x25519Base vs node:crypto', B, nodeRef.x25519Base(b));
      const ab = p.x25519(a, B);
      expectBytes('x25519(a, B) == x25519(b, A)', p.x25519(b, A), ab);
      expectBytes('shared vs @noble', ab, nobleRef.x25519(a, B));
      expectBytes('shared vs node:crypto', ab, nodeRef.x25519(b, A));
    });
  }
  for (let i = 0; i < randomUs; i++) {
    run.case(`random u ${i}`, () => {
      const k = r.bytes(32);
      const u = r.bytes(32);
      let want: Uint8Array | undefined;
      try {
        want = nobleRef.x25519(k, u);
      } catch {
        // one of the five low-order u (probability ~2^-252): the contract says LOW_ORDER
        expectThrow('x25519 (low-order u)', () => p.x25519(k, u), isCoreError('LOW_ORDER'), 'CoreError LOW_ORDER');
        return;
      }
      const got = p.x25519(k, u);
      expectBytes('vs @noble', got, want);
      expectBytes('vs node:crypto', got, nodeRef.x25519(k, u));
    });
  }
  return run.finish();
}

const MUTATIONS = ['signature bit', 'message', 'public key bit'] as const;

/**
 * Ed25519 with a random seed for every message length 0..maxLen: public key and signature
 * vs @noble and node:crypto; verify accepts; then one mutation per length (cycling through
 * a signature bit, the message, a public-key bit) and verify must agree with both
 * references, which all say false.
 */
export function crossEd25519(p: Platform, r: Prng, maxLen = 1024): Report {
  const run = new Run(`ed25519 sign/verify, every message length 0..${maxLen}`, maxLen + 1);
  for (const n of lengths(0, maxLen)) {
    run.case(`length ${n}`, () => {
      const seed = r.bytes(32);
      const msg = r.bytes(n);
      const byNodeKeys = nodeRef.ed25519Keys(seed);
      const pub = p.ed25519PublicKey(seed);
      expectBytes('public key vs @noble', pub, nobleRef.ed25519PublicKey(seed));
      expectBytes('public key vs node:crypto', pub, byNodeKeys.publicKey);
      const sig = p.ed25519Sign(seed, msg);
      expectBytes('signature vs @noble', sig, nobleRef.ed25519Sign(seed, msg));
      expectBytes('signature vs node:crypto', sig, byNodeKeys.sign(msg));
      expectTrue('verify', p.ed25519Verify(pub, msg, sig));
      expectTrue('node:crypto verifies it', nodeRef.ed25519Verify(pub, msg, sig));

      const kind = MUTATIONS[n % MUTATIONS.length];
      let [pub2, msg2, sig2] = [pub, msg, sig];
      if (kind === 'signature bit') sig2 = flipBit(sig, r.int(512));
      else if (kind === 'public key bit') pub2 = flipBit(pub, r.int(256));
      else msg2 = n === 0 ? new Uint8Array([r.int(256)]) : flipBit(msg, r.int(n * 8));
      const got = p.ed25519Verify(pub2, msg2, sig2);
      const byNoble = nobleRef.ed25519Verify(pub2, msg2, sig2);
      const byNode = nodeRef.ed25519Verify(pub2, msg2, sig2);
      if (got !== byNoble || got !== byNode) {
        throw new CaseFailure(`mutated ${kind}: verify says ${got}, @noble ${byNoble}, node:crypto ${byNode}`);
      }
      expectFalse(`verify after a mutated ${kind}`, got);
    });
  }
  return run.finish();
}

/**
 * did:key conversion: for `count` random seeds, ed25519ToX25519Public/Secret vs noble's
 * toMontgomery/toMontgomerySecret and the consistency x25519Base(toX25519Secret(seed)) ==
 * toX25519Public(publicKey(seed)); then `count` random 32-byte strings as public keys:
 * INVALID_POINT exactly when noble cannot decode the point, the same u otherwise.
 */
export function crossEdToX25519(p: Platform, r: Prng, count = 200): Report {
  const run = new Run(`ed25519ToX25519Public/Secret, ${count} seeds and ${count} random encodings`, 2 * count);
  let invalid = 0;
  for (let i = 0; i < count; i++) {
    run.case(`seed ${i}`, () => {
      const seed = r.bytes(32);
      const pub = p.ed25519PublicKey(seed);
      const xpub = p.ed25519ToX25519Public(pub);
      const xsec = p.ed25519ToX25519Secret(seed);
      expectBytes('toX25519Public vs @noble toMontgomery', xpub, nobleRef.toMontgomery(pub));
      expectBytes('toX25519Secret vs @noble toMontgomerySecret', xsec, nobleRef.toMontgomerySecret(seed));
      expectBytes('x25519Base(toX25519Secret(seed)) == toX25519Public(pub)', p.x25519Base(xsec), xpub);
    });
    run.case(`random encoding ${i}`, () => {
      const enc = r.bytes(32);
      let want: Uint8Array | null = null;
      try {
        want = nobleRef.toMontgomery(enc);
      } catch {
        want = null;
      }
      if (want === null) {
        invalid++;
        expectThrow('toX25519Public (not a point)', () => p.ed25519ToX25519Public(enc), isCoreError('INVALID_POINT'), 'CoreError INVALID_POINT');
      } else {
        let got: Uint8Array;
        try {
          got = p.ed25519ToX25519Public(enc);
        } catch (e) {
          throw new CaseFailure(`a valid point was refused: ${describeError(e)}`);
        }
        if (!equalBytes(got, want)) expectBytes('vs @noble toMontgomery', got, want);
      }
    });
  }
  run.note(`${invalid} of ${count} random encodings were not points`);
  return run.finish();
}
