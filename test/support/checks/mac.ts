// HMAC-SHA256 and HKDF-SHA256 vector checks (Wycheproof; the RFC 5869 vectors
// are inside the HKDF file as the cases commented "RFC 5869").

import { EXCHANGE_BYTES, type Platform } from '../platform.ts';
import { equalBytes, fromHex, toHex } from '../hex.ts';
import { field, wycheproof, type WycheproofFile } from '../vectors.ts';
import { CaseFailure, Run, expectBytes, expectThrow, isRangeError, type Report } from '../report.ts';

export const HMAC_WYCHEPROOF = 'hmac_sha256_test.json';
export const HKDF_WYCHEPROOF = 'hkdf_sha256_test.json';

/**
 * Wycheproof HMAC-SHA256. Groups with tagSize 128 hold truncated tags: the first
 * tagSize/8 bytes of the full MAC are compared. valid => equal; invalid (ModifiedTag) =>
 * different. No exclusions.
 */
export function checkWycheproofHmac(p: Platform, data: WycheproofFile = wycheproof(HMAC_WYCHEPROOF)): Report {
  const run = new Run(`Wycheproof ${HMAC_WYCHEPROOF}`, data.numberOfTests);
  const sizes = new Map<number, number>();
  for (const g of data.testGroups) {
    const tagBytes = Number(g.tagSize) / 8;
    if (g.type !== 'MacTest' || !Number.isInteger(tagBytes) || tagBytes < 1 || tagBytes > 32) {
      run.fail(`unexpected group ${g.type} tagSize ${String(g.tagSize)}`);
      continue;
    }
    sizes.set(tagBytes, (sizes.get(tagBytes) ?? 0) + g.tests.length);
    for (const t of g.tests) {
      run.case(`tcId ${t.tcId} (${t.result} ${t.flags.join(',')}, ${tagBytes}-byte tag)`, () => {
        const tag = fromHex(field(t, 'tag'));
        if (tag.length !== tagBytes) throw new CaseFailure(`tag is ${tag.length} bytes, group says ${tagBytes}`);
        const mac = p.hmacSha256(fromHex(field(t, 'key')), fromHex(field(t, 'msg')));
        if (mac.length !== 32) throw new CaseFailure(`MAC is ${mac.length} bytes, want 32`);
        const prefix = mac.subarray(0, tagBytes);
        if (t.result === 'valid') expectBytes('MAC prefix', prefix, tag);
        else if (t.result === 'invalid') {
          if (equalBytes(prefix, tag)) throw new CaseFailure(`modified tag ${toHex(tag)} matched`);
        } else throw new CaseFailure('"acceptable" HMAC case: no policy decided');
      });
    }
  }
  run.note([...sizes].map(([b, n]) => `${n} cases with ${b}-byte tags`).join(', '));
  return run.finish();
}

/**
 * Wycheproof HKDF-SHA256. valid => okm equal; invalid (SizeTooLarge, > 255*32 bytes) =>
 * RangeError. Contract limit: info + max(salt + ikm, size) must fit the 8192-byte exchange
 * buffer (hal/node/core.ts); every Wycheproof case does, including the 8160-byte
 * MaximalOutputSize ones. A case that did not would have to throw RangeError at full size
 * and is then compared as its longest fitting prefix (HKDF's T(1) || T(2) || ... does not
 * depend on L, RFC 5869 §2.3), counted in a note.
 */
export function checkWycheproofHkdf(p: Platform, data: WycheproofFile = wycheproof(HKDF_WYCHEPROOF), only?: (comment: string) => boolean): Report {
  const tests = data.testGroups.flatMap((g) => g.tests.map((t) => ({ g, t }))).filter(({ t }) => !only || only(t.comment));
  const run = new Run(only ? `Wycheproof ${HKDF_WYCHEPROOF} (subset)` : `Wycheproof ${HKDF_WYCHEPROOF}`, only ? tests.length : data.numberOfTests);
  let limited = 0;
  for (const { g, t } of tests) {
    if (g.type !== 'HkdfTest') {
      run.fail(`unexpected group ${g.type}`);
      continue;
    }
    run.case(`tcId ${t.tcId} (${t.result} ${t.flags.join(',')} ${t.comment})`, () => {
      const ikm = fromHex(field(t, 'ikm'));
      const salt = fromHex(field(t, 'salt'));
      const info = fromHex(field(t, 'info'));
      const size = Number(t.size);
      if (t.result === 'invalid') {
        expectThrow('hkdf', () => p.hkdfSha256(ikm, salt, info, size), isRangeError, 'RangeError');
        return;
      }
      if (t.result !== 'valid') throw new CaseFailure('"acceptable" HKDF case: no policy decided');
      const okm = fromHex(field(t, 'okm'));
      if (okm.length !== size) throw new CaseFailure(`okm is ${okm.length} bytes, size says ${size}`);
      // The binding lets the output overwrite salt and ikm (hal/node/core.ts), so
      // what must fit is info + max(salt + ikm, size).
      if (info.length + Math.max(salt.length + ikm.length, size) <= EXCHANGE_BYTES) {
        expectBytes('okm', p.hkdfSha256(ikm, salt, info, size), okm);
      } else {
        limited++;
        expectThrow('hkdf beyond the exchange buffer', () => p.hkdfSha256(ikm, salt, info, size), isRangeError, 'RangeError (contract limit)');
        const fit = EXCHANGE_BYTES - info.length;
        expectBytes(`okm prefix (${fit} bytes)`, p.hkdfSha256(ikm, salt, info, fit), okm.subarray(0, fit));
      }
    });
  }
  run.note(`${limited} valid cases exceed the exchange buffer: RangeError at full size, longest fitting prefix compared`);
  return run.finish();
}
