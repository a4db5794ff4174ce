// The harness rejects wrong implementations: every vector check and cross-check
// used by the real suites is run here against deliberately broken platforms
// (the noble platform with one behaviour changed) and must report failures.
// Also: the case-count guard fires when cases go missing.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { noble, override, type Platform } from './support/platform.ts';
import { bigIntToLe, concat, flipBit, leToBigInt, toHex } from './support/hex.ts';
import { rng, rngFor } from './support/rng.ts';
import { vectorPath, vectorText, wycheproof, type WycheproofFile } from './support/vectors.ts';
import { assertCaught, assertClean } from './support/report.ts';
import { X25519_WYCHEPROOF, checkRfc7748File, checkRfc7748Iterated, checkWycheproofX25519 } from './support/checks/x25519.ts';
import { ED25519_WYCHEPROOF, RFC8032_FILE, checkRfc8032, checkWycheproofEd25519 } from './support/checks/ed25519.ts';
import { AEAD_WYCHEPROOF, checkRfc8439Aead, checkRfc8439ChaCha, checkWycheproofAead } from './support/checks/aead.ts';
import { HKDF_WYCHEPROOF, HMAC_WYCHEPROOF, checkWycheproofHkdf, checkWycheproofHmac } from './support/checks/mac.ts';
import { checkFips180 } from './support/checks/sha.ts';
import {
  crossAead, crossAeadTamper, crossEd25519, crossEdToX25519, crossHashes, crossHkdf, crossHmac, crossStreaming, crossX25519,
} from './support/checks/cross.ts';

const test = suite('harness');

const L = (1n << 252n) + 27742317777372353535851937790883648493n; // Ed25519 group order (RFC 8032 §5.1)
const flip0 = (b: Uint8Array): Uint8Array => flipBit(b, 0);
const broken = (what: string, replace: Parameters<typeof override>[2]): Platform => override(noble, `broken (${what})`, replace);
const clone = (f: WycheproofFile): WycheproofFile => JSON.parse(JSON.stringify(f)) as WycheproofFile;
/** A consistent copy of a Wycheproof file with only the cases `keep` selects (keeps the slow X25519 checks short). */
function subset(f: WycheproofFile, keep: (flags: string[]) => boolean): WycheproofFile {
  const c = clone(f);
  for (const g of c.testGroups) g.tests = g.tests.filter((t) => keep(t.flags));
  c.numberOfTests = c.testGroups.reduce((n, g) => n + g.tests.length, 0);
  assert.ok(c.numberOfTests > 0, 'subset selects no case');
  return c;
}

// ---- the reference platform passes (so a failure below is the breakage, not the harness) ----

test('the unmodified noble platform passes the fast checks (the vector suites run all of them)', () => {
  assertClean(checkWycheproofX25519(noble, subset(wycheproof(X25519_WYCHEPROOF), (f) => f.includes('LowOrderPublic') || f.includes('NonCanonicalPublic'))));
  assertClean(checkWycheproofEd25519(noble));
  assertClean(checkWycheproofAead(noble));
  assertClean(checkWycheproofHmac(noble));
  assertClean(checkWycheproofHkdf(noble));
});

// ---- hashes ----

test('SHA-256 wrong only for long messages: FIPS 180-2 (one million "a") and streaming catch it', () => {
  const p = broken('sha256 >= 8193 B', { sha256: (m) => (m.length > 8192 ? flip0(noble.sha256(m)) : noble.sha256(m)) });
  assertCaught(checkFips180(p, 'sha256'), /one million/);
  assertCaught(crossStreaming(p, rng('harness/stream'), [8193]), /sha256/);
});

test('SHA-512 wrong for one length: FIPS 180-2 C.2 and the length sweep catch it', () => {
  const p = broken('sha512 of 112 B', { sha512: (m) => (m.length === 112 ? flip0(noble.sha512(m)) : noble.sha512(m)) });
  assertCaught(checkFips180(p, 'sha512'), /896-bit/);
  assertCaught(crossHashes(p, rng('harness/sha'), 120), /length 112/);
});

// ---- HMAC / HKDF ----

test('HMAC wrong in its last byte: Wycheproof catches it in the full-length tags only', () => {
  const p = broken('hmac last byte', { hmacSha256: (k, m) => flipBit(noble.hmacSha256(k, m), 31 * 8) });
  const r = checkWycheproofHmac(p);
  assertCaught(r, /32-byte tag/);
  assert.ok(r.failures.every((f) => !/16-byte tag/.test(f)), 'a 16-byte prefix does not include byte 31');
});

test('HMAC that truncates long keys instead of hashing them (RFC 2104 §2): Wycheproof and the key sweep catch it', () => {
  const p = broken('hmac long keys', { hmacSha256: (k, m) => hmac(sha256, k.subarray(0, 64), m) });
  assertCaught(checkWycheproofHmac(p));
  assertCaught(crossHmac(p, rng('harness/hmac'), 70), /key length 6[5-9]|key length 70/);
});

test('HKDF without the 255*32 output limit: the SizeTooLarge cases catch it', () => {
  const p = broken('hkdf no limit', {
    hkdfSha256: (ikm, salt, info, len) => (len > 8160 ? new Uint8Array(len) : noble.hkdfSha256(ikm, salt, info, len)),
  });
  assertCaught(checkWycheproofHkdf(p), /SizeTooLarge/);
});

test('HKDF that ignores info: Wycheproof (incl. RFC 5869) and the cross-check catch it', () => {
  const p = broken('hkdf ignores info', { hkdfSha256: (ikm, salt, _info, len) => noble.hkdfSha256(ikm, salt, new Uint8Array(0), len) });
  assertCaught(checkWycheproofHkdf(p, undefined, (c) => c === 'RFC 5869'), /tcId 1 /);
  assertCaught(crossHkdf(p, rng('harness/hkdf'), 8));
});

// ---- AEAD ----

test('AEAD open that ignores the tag: Wycheproof ModifiedTag and the tamper sweep catch it', () => {
  const p = broken('open ignores tag', {
    aeadOpen: (key, nonce, _aad, sealed) => chacha20(key, nonce, sealed.subarray(0, sealed.length - 16), undefined, 1),
  });
  assertCaught(checkWycheproofAead(p), /ModifiedTag/);
  assertCaught(crossAeadTamper(p, rng('harness/tamper')), /ct\|\|tag bit/);
});

test('AEAD open that ignores the aad: the tamper sweep catches it', () => {
  const p = broken('open ignores aad', {
    aeadOpen: (key, nonce, _aad, sealed) => noble.aeadOpen(key, nonce, new Uint8Array(0), sealed),
    aeadSeal: (key, nonce, _aad, pt) => noble.aeadSeal(key, nonce, new Uint8Array(0), pt),
  });
  assertCaught(crossAeadTamper(p, rng('harness/tamper-aad')), /aad bit/);
  assertCaught(checkWycheproofAead(p));
});

test('AEAD seal with a wrong tag bit: Wycheproof, RFC 8439 and the length sweep catch it', () => {
  const p = broken('seal tag bit', { aeadSeal: (k, n, a, pt) => { const s = noble.aeadSeal(k, n, a, pt); return flipBit(s, s.length * 8 - 1); } });
  assertCaught(checkWycheproofAead(p), /seal/);
  assertCaught(checkRfc8439Aead(p), /seal/);
  assertCaught(crossAead(p, rng('harness/aead'), 4));
});

test('AEAD whose payload keystream starts at block 0 instead of 1: the RFC 8439 counter-1 vectors catch it', () => {
  const p = broken('counter 0', {
    aeadSeal: (key, nonce, aad, pt) => {
      const real = chacha20poly1305(key, nonce, aad).encrypt(pt);
      return concat(chacha20(key, nonce, pt, undefined, 0), real.subarray(pt.length));
    },
  });
  assertCaught(checkRfc8439ChaCha(p), /§2\.4\.2/);
});

// ---- X25519 ----

test('X25519 that returns the zero secret instead of LOW_ORDER: Wycheproof catches it', () => {
  const p = broken('no low-order check', {
    x25519: (k, u) => {
      try {
        return noble.x25519(k, u);
      } catch {
        return new Uint8Array(32);
      }
    },
  });
  assertCaught(checkWycheproofX25519(p, subset(wycheproof(X25519_WYCHEPROOF), (f) => f.includes('LowOrderPublic'))), /LOW_ORDER/);
});

test('X25519 that refuses non-canonical u (u >= p or top bit set): Wycheproof catches it', () => {
  const P = (1n << 255n) - 19n;
  const p = broken('refuses non-canonical u', {
    x25519: (k, u) => {
      if (leToBigInt(u) >= P) throw new RangeError('non-canonical u');
      return noble.x25519(k, u);
    },
  });
  assertCaught(checkWycheproofX25519(p, subset(wycheproof(X25519_WYCHEPROOF), (f) => f.includes('NonCanonicalPublic'))), /NonCanonicalPublic/);
});

test('X25519 with one wrong output bit: RFC 7748 vectors, the iterated test and the cross-check catch it', () => {
  const p = broken('x25519 bit', { x25519: (k, u) => flip0(noble.x25519(k, u)) });
  assertCaught(checkRfc7748File(p));
  assertCaught(checkRfc7748Iterated(p, 1));
  assertCaught(crossX25519(p, rng('harness/x25519'), 3, 3));
});

test('X25519 without scalar clamping: the cross-check of x25519Base catches it', () => {
  const p = broken('unclamped', {
    x25519Base: (k) => {
      // multiply by the unclamped scalar through noble's Edwards point (u = (1 + y) / (1 - y))
      const s = leToBigInt(k) % L || 1n;
      return ed25519.utils.toMontgomery(ed25519.Point.BASE.multiply(s).toBytes());
    },
  });
  assertCaught(crossX25519(p, rng('harness/unclamped'), 3, 0), /x25519Base/);
});

// ---- Ed25519 ----

test('Ed25519 verify that accepts S >= L (malleability): Wycheproof catches it', () => {
  const p = broken('S mod L', {
    ed25519Verify: (pub, msg, sig) => {
      const s = leToBigInt(sig.subarray(32));
      return noble.ed25519Verify(pub, msg, concat(sig.subarray(0, 32), bigIntToLe(s % L, 32)));
    },
  });
  assertCaught(checkWycheproofEd25519(p), /SignatureMalleability/);
});

test('Ed25519 verify in ZIP-215 mode (noble default): Wycheproof catches it', () => {
  const p = broken('zip215', { ed25519Verify: (pub, msg, sig) => ed25519.verify(sig, msg, pub, { zip215: true }) });
  assertCaught(checkWycheproofEd25519(p), /InvalidEncoding/);
});

test('Ed25519 verify that always accepts: Wycheproof and the mutation cross-check catch it', () => {
  const p = broken('verify true', { ed25519Verify: () => true });
  assertCaught(checkWycheproofEd25519(p));
  assertCaught(crossEd25519(p, rng('harness/ed-true'), 3), /mutated/);
});

test('Ed25519 sign with one wrong bit: RFC 8032 and the cross-check catch it', () => {
  const p = broken('sign bit', { ed25519Sign: (seed, m) => flip0(noble.ed25519Sign(seed, m)) });
  const lines = (t: string) => t.split('\n').slice(0, 3).join('\n');
  assertCaught(checkRfc8032(p, lines(readSignInput()), 3));
  assertCaught(crossEd25519(p, rng('harness/ed-sign'), 2), /signature vs/);
});

test('Ed25519 → X25519 secret without clamping: the conversion cross-check catches it', () => {
  const p = broken('toX25519Secret unclamped', { ed25519ToX25519Secret: (seed) => sha512First32(seed) });
  assertCaught(crossEdToX25519(p, rng('harness/edx'), 3), /toMontgomerySecret/);
});

test('Ed25519 → X25519 public that accepts non-points: the conversion cross-check catches it', () => {
  const p = broken('toX25519Public lax', {
    ed25519ToX25519Public: (pub) => {
      try {
        return noble.ed25519ToX25519Public(pub);
      } catch {
        return x25519.scalarMultBase(pub);
      }
    },
  });
  assertCaught(crossEdToX25519(p, rng('harness/edx-lax'), 20), /INVALID_POINT/);
});

// ---- the case-count guard ----

test('a Wycheproof file claiming more cases than were run is reported', () => {
  const data = clone(wycheproof(HMAC_WYCHEPROOF));
  data.numberOfTests += 1;
  assertCaught(checkWycheproofHmac(noble, data), /ran 174 cases, expected 175/);
});

test('a dropped test group is reported', () => {
  const data = clone(wycheproof(ED25519_WYCHEPROOF));
  data.testGroups.pop();
  assertCaught(checkWycheproofEd25519(noble, data), /ran \d+ cases, expected 151/);
});

test('a filter that leaves no applicable case is reported', () => {
  const data = clone(wycheproof(AEAD_WYCHEPROOF));
  data.testGroups = data.testGroups.filter((g) => g.ivSize !== 96);
  data.numberOfTests = data.testGroups.reduce((n, g) => n + g.tests.length, 0);
  assertCaught(checkWycheproofAead(noble, data), /no applicable cases/);
});

test('an unknown result class ("acceptable" with no policy) is reported', () => {
  const data = clone(wycheproof(HKDF_WYCHEPROOF));
  data.testGroups[0].tests[0].result = 'acceptable';
  assertCaught(checkWycheproofHkdf(noble, data), /no policy/);
});

// ---- support: vectors loader and seeded randomness ----

test('a missing vectors directory or file fails with a clear message', () => {
  assert.throws(() => vectorPath('x.json', new URL('file:///nonexistent-sealink/shared/vectors/')), /test vectors not found: expected the directory/);
  assert.throws(() => vectorPath('wycheproof/testvectors_v1/no_such_test.json'), /test vector file missing/);
});

test('random streams are reproducible per (seed, label) and differ between labels and seeds', () => {
  const a = toHex(rngFor('1234abcd', 'x').bytes(40));
  assert.is(toHex(rngFor('1234abcd', 'x').bytes(40)), a);
  assert.is.not(toHex(rngFor('1234abcd', 'y').bytes(40)), a);
  assert.is.not(toHex(rngFor('1234abcd0', 'x').bytes(40)), a);
  const q = rngFor('1234abcd', 'z');
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[q.int(7)]++;
  assert.ok(counts.every((c) => c > 850 && c < 1150), `int(7) looks biased: ${counts.join(',')}`);
});

test('SEALINK_SEED replays a run: the child prints the seed and draws the same bytes', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, SEALINK_SEED: '1234abcd' };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    "const { rng } = await import('./test/support/rng.ts'); console.log('bytes=' + Buffer.from(rng('x').bytes(40)).toString('hex'));"],
  { cwd: fileURLToPath(new URL('../', import.meta.url)), env, encoding: 'utf8', timeout: 60_000 });
  assert.is(child.status, 0, child.stderr);
  assert.match(child.stdout, /^seed=1234abcd /m);
  assert.match(child.stdout, new RegExp(`^bytes=${toHex(rngFor('1234abcd', 'x').bytes(40))}$`, 'm'));
  const bad = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "await import('./test/support/rng.ts');"],
    { cwd: fileURLToPath(new URL('../', import.meta.url)), env: { ...env, SEALINK_SEED: 'not-hex' }, encoding: 'utf8', timeout: 60_000 });
  assert.is.not(bad.status, 0, 'a malformed SEALINK_SEED is refused');
  assert.match(bad.stderr, /SEALINK_SEED must be/);
});

// ---- helpers ----

function sha512First32(seed: Uint8Array): Uint8Array {
  return sha512(seed).slice(0, 32);
}
function readSignInput(): string {
  return vectorText(RFC8032_FILE);
}

test.run();
