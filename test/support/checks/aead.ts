// ChaCha20-Poly1305 vector checks: Wycheproof chacha20_poly1305_test.json and
// the RFC 8439 text (§2.8.2 AEAD example, Appendix A.5 decryption, and the
// ChaCha20 encryption vectors whose block counter starts at 1, which the AEAD
// reaches because its payload keystream starts at counter 1, RFC 8439 §2.8).

import type { Platform } from '../platform.ts';
import { concat, fromHex } from '../hex.ts';
import { field, vectorText, wycheproof, type WycheproofFile } from '../vectors.ts';
import { CaseFailure, Run, expectBytes, expectNull, type Report } from '../report.ts';

export const AEAD_WYCHEPROOF = 'chacha20_poly1305_test.json';
export const RFC8439_FILE = 'poly1305-donna/rfc8439.txt';

/**
 * Wycheproof ChaCha20-Poly1305. Only groups with a 96-bit nonce apply (the API takes
 * exactly 12 bytes, RFC 8439 §2.8); the other groups (all InvalidNonceSize) are excluded
 * with a counted note (the binding test checks that a wrong nonce length is a RangeError).
 * valid => seal gives ct||tag exactly and open gives msg back; invalid => open returns null.
 */
export function checkWycheproofAead(p: Platform, data: WycheproofFile = wycheproof(AEAD_WYCHEPROOF)): Report {
  const run = new Run(`Wycheproof ${AEAD_WYCHEPROOF}`, 0);
  let excluded = 0;
  for (const g of data.testGroups) {
    if (g.type !== 'AeadTest' || g.keySize !== 256 || g.tagSize !== 128) {
      run.fail(`unexpected group ${g.type} key ${String(g.keySize)} tag ${String(g.tagSize)}: the checker needs a policy for it`);
      continue;
    }
    if (g.ivSize !== 96) {
      excluded += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      run.case(`tcId ${t.tcId} (${t.result} ${t.flags.join(',')})`, () => {
        const key = fromHex(field(t, 'key'));
        const iv = fromHex(field(t, 'iv'));
        const aad = fromHex(field(t, 'aad'));
        const msg = fromHex(field(t, 'msg'));
        const sealed = concat(fromHex(field(t, 'ct')), fromHex(field(t, 'tag')));
        if (iv.length !== 12) throw new CaseFailure(`group says 96-bit nonce, case has ${iv.length} bytes`);
        if (t.result === 'valid') {
          expectBytes('seal', p.aeadSeal(key, iv, aad, msg), sealed);
          expectBytes('open', p.aeadOpen(key, iv, aad, sealed), msg);
        } else if (t.result === 'invalid') {
          expectNull('open', p.aeadOpen(key, iv, aad, sealed));
        } else {
          throw new CaseFailure('"acceptable" AEAD case: no policy decided; document one in checks/aead.ts');
        }
      });
    }
  }
  run.expect(data.numberOfTests - excluded);
  run.note(`${excluded} of ${data.numberOfTests} excluded: nonce not 96 bits (InvalidNonceSize)`);
  return run.finish();
}

// ---- RFC 8439 text ----

const PAGE_BREAK = /^(\f|Nir & Langley\s.*\[Page \d+\]\s*$|RFC 8439\s+ChaCha20 & Poly1305\s+June 2018\s*$)/;
const DUMP_LINE = /^\s*(\d{3})  ((?:[0-9a-f]{2}(?: |$))+)/;
const COLON_LINE = /^\s*((?:[0-9a-f]{2}:)+(?:[0-9a-f]{2})?)\s*$/;

/**
 * The bytes of the hex block under the first line at or after `from` that matches `label`
 * (a whole line). Reads offset dumps (`000  xx xx ...  ascii`) and colon lists
 * (`xx:xx:...:`), continues across page breaks while the dump offsets continue,
 * and stops at the next text line.
 */
export function rfcBlock(lines: string[], label: RegExp, from = 0): { bytes: Uint8Array; end: number } {
  let i = from;
  while (i < lines.length && !label.test(lines[i])) i++;
  if (i === lines.length) throw new Error(`RFC 8439: label ${label} not found after line ${from + 1}`);
  let hex = '';
  let n = 0;
  for (i++; i < lines.length; i++) {
    const l = lines[i];
    const d = DUMP_LINE.exec(l);
    const c = COLON_LINE.exec(l);
    if (d) {
      if (Number(d[1]) !== n) break; // a new block begins
      const part = d[2].trim().split(' ').join('');
      hex += part;
      n += part.length / 2;
    } else if (c) {
      const part = c[1].split(':').join('');
      hex += part;
      n += part.length / 2;
    } else if (l.trim() === '' || PAGE_BREAK.test(l)) {
      continue;
    } else {
      break;
    }
  }
  if (n === 0) throw new Error(`RFC 8439: no hex under ${label}`);
  return { bytes: fromHex(hex), end: i };
}

function section(lines: string[], heading: RegExp): number {
  const at = lines.findIndex((l) => heading.test(l));
  if (at < 0) throw new Error(`RFC 8439: section ${heading} not found`);
  return at;
}

/** RFC 8439 §2.8.2 (AEAD example) and A.5 (AEAD decryption), parsed from the RFC text. */
export function checkRfc8439Aead(p: Platform, text: string = vectorText(RFC8439_FILE)): Report {
  const lines = text.split(/\r?\n/);
  const run = new Run('RFC 8439 §2.8.2 and A.5 (AEAD)', 2);
  run.case('§2.8.2 seal and open', () => {
    const s = section(lines, /^2\.8\.2\.\s+Example and Test Vector for AEAD_CHACHA20_POLY1305/);
    const pt = rfcBlock(lines, /^\s*Plaintext:\s*$/, s).bytes;
    const aad = rfcBlock(lines, /^\s*AAD:\s*$/, s).bytes;
    const key = rfcBlock(lines, /^\s*Key:\s*$/, s).bytes;
    const iv = rfcBlock(lines, /^\s*IV:\s*$/, s).bytes;
    const fixed = rfcBlock(lines, /^\s*32-bit fixed-common part:\s*$/, s).bytes;
    const ct = rfcBlock(lines, /^\s*Ciphertext:\s*$/, s).bytes;
    const tag = rfcBlock(lines, /^\s*Tag:\s*$/, s).bytes;
    // §2.8.2: the nonce is the 32-bit constant followed by the 64-bit IV
    const nonce = concat(fixed, iv);
    if (pt.length !== 114 || ct.length !== 114 || tag.length !== 16 || nonce.length !== 12 || key.length !== 32) {
      throw new CaseFailure(`parsed sizes pt ${pt.length} ct ${ct.length} tag ${tag.length} nonce ${nonce.length} key ${key.length}`);
    }
    expectBytes('seal', p.aeadSeal(key, nonce, aad, pt), concat(ct, tag));
    expectBytes('open', p.aeadOpen(key, nonce, aad, concat(ct, tag)), pt);
  });
  run.case('A.5 decryption (and re-seal)', () => {
    const s = section(lines, /^A\.5\.\s+ChaCha20-Poly1305 AEAD Decryption/);
    const key = rfcBlock(lines, /^\s*The ChaCha20 Key:?\s*$/, s).bytes;
    const ct = rfcBlock(lines, /^\s*Ciphertext:\s*$/, s).bytes;
    const nonce = rfcBlock(lines, /^\s*The nonce:\s*$/, s).bytes;
    const aad = rfcBlock(lines, /^\s*The AAD:\s*$/, s).bytes;
    const tag = rfcBlock(lines, /^\s*Received Tag:\s*$/, s).bytes;
    const pt = rfcBlock(lines, /^\s*Plaintext:+\s*$/, s).bytes;
    if (ct.length !== 265 || pt.length !== 265 || tag.length !== 16 || nonce.length !== 12 || key.length !== 32) {
      throw new CaseFailure(`parsed sizes pt ${pt.length} ct ${ct.length} tag ${tag.length} nonce ${nonce.length} key ${key.length}`);
    }
    expectBytes('open', p.aeadOpen(key, nonce, aad, concat(ct, tag)), pt);
    expectBytes('seal', p.aeadSeal(key, nonce, aad, pt), concat(ct, tag));
  });
  return run.finish();
}

/**
 * RFC 8439 ChaCha20 encryption vectors with initial counter 1 (§2.4.2 and A.2 #2): the
 * AEAD's ciphertext (without the tag) must equal them, whatever the AAD. Vectors with
 * other counters (A.2 #1: 0, #3: 42) and the Poly1305 vectors (§2.5.2, A.3, A.4) are not
 * reachable through the API; they are listed in a counted note.
 */
export function checkRfc8439ChaCha(p: Platform, text: string = vectorText(RFC8439_FILE)): Report {
  const lines = text.split(/\r?\n/);
  const run = new Run('RFC 8439 ChaCha20 vectors with counter 1 (via the AEAD)', 0);
  let cases = 0;

  const s242 = section(lines, /^2\.4\.2\.\s+Example and Test Vector for the ChaCha20 Cipher/);
  const s25 = section(lines, /^2\.5\.\s+The Poly1305 Algorithm/);
  const text242 = lines.slice(s242, s25).join('\n');
  cases++;
  run.case('§2.4.2 (sunscreen)', () => {
    const key = fromHex((/Key = ([0-9a-f:\s]+)\./.exec(text242)?.[1] ?? '').replace(/[^0-9a-f]/g, ''));
    const nonce = fromHex((/Nonce = \(([0-9a-f:\s]+)\)/.exec(text242)?.[1] ?? '').replace(/[^0-9a-f]/g, ''));
    const counter = /Initial Counter = (\d+)/.exec(text242)?.[1];
    const pt = rfcBlock(lines, /^\s*Plaintext Sunscreen:\s*$/, s242).bytes;
    const ct = rfcBlock(lines, /^\s*Ciphertext Sunscreen:\s*$/, s242).bytes;
    if (counter !== '1' || key.length !== 32 || nonce.length !== 12 || pt.length !== 114 || ct.length !== 114) {
      throw new CaseFailure(`parsed counter ${counter} key ${key.length} nonce ${nonce.length} pt ${pt.length} ct ${ct.length}`);
    }
    expectBytes('AEAD ciphertext', p.aeadSeal(key, nonce, new Uint8Array(0), pt).subarray(0, pt.length), ct);
  });

  const a2 = section(lines, /^A\.2\.\s+ChaCha20 Encryption/);
  const a3 = section(lines, /^A\.3\.\s+Poly1305 Message Authentication Code/);
  const skipped: string[] = [];
  for (let i = a2; i < a3; i++) {
    const m = /^\s*Test Vector #(\d+):/.exec(lines[i]);
    if (!m) continue;
    const counterLine = lines.slice(i, a3).find((l) => /Initial Block Counter = \d+/.test(l)) ?? '';
    const counter = Number(/= (\d+)/.exec(counterLine)?.[1]);
    if (counter !== 1) {
      skipped.push(`A.2 #${m[1]} (counter ${counter})`);
      continue;
    }
    cases++;
    run.case(`A.2 #${m[1]}`, () => {
      const key = rfcBlock(lines, /^\s*Key:\s*$/, i).bytes;
      const nonce = rfcBlock(lines, /^\s*Nonce:\s*$/, i).bytes;
      const pt = rfcBlock(lines, /^\s*Plaintext:\s*$/, i).bytes;
      const ct = rfcBlock(lines, /^\s*Ciphertext:\s*$/, i).bytes;
      if (key.length !== 32 || nonce.length !== 12 || pt.length !== ct.length || pt.length === 0) {
        throw new CaseFailure(`parsed key ${key.length} nonce ${nonce.length} pt ${pt.length} ct ${ct.length}`);
      }
      expectBytes('AEAD ciphertext', p.aeadSeal(key, nonce, new Uint8Array(0), pt).subarray(0, pt.length), ct);
    });
  }
  run.expect(cases);
  run.note(`not reachable through the AEAD API: ${skipped.join(', ') || 'none'}; Poly1305 §2.5.2, A.3, A.4 (the AEAD vectors carry Poly1305)`);
  if (skipped.length !== 2) run.fail(`expected A.2 #1 and #3 to be the only other-counter vectors, found ${skipped.length}`);
  return run.finish();
}
