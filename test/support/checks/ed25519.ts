// Ed25519 vector checks: Wycheproof ed25519_test.json (verification) and the
// RFC 8032 / SUPERCOP sign.input file carried by noble-curves (keys, signatures).

import type { Platform } from '../platform.ts';
import { equalBytes, fromHex } from '../hex.ts';
import { field, vectorText, wycheproof, type WycheproofFile } from '../vectors.ts';
import { CaseFailure, Run, expectBytes, expectFalse, expectTrue, type Report } from '../report.ts';

export const ED25519_WYCHEPROOF = 'ed25519_test.json';
export const RFC8032_FILE = 'noble-curves/test/vectors/ed25519/vectors.txt';

/**
 * Wycheproof Ed25519 verification. valid => verify returns true. invalid => rejected:
 * verify returns false, or (contract of the binding) throws RangeError when the signature
 * is not 64 bytes (TruncatedSignature, SignatureWithGarbage, CompressedSignature cases).
 * The file has no "acceptable" cases; one would fail here until a policy is written down.
 * No exclusions.
 */
export function checkWycheproofEd25519(p: Platform, data: WycheproofFile = wycheproof(ED25519_WYCHEPROOF)): Report {
  const run = new Run(`Wycheproof ${ED25519_WYCHEPROOF}`, data.numberOfTests);
  let wrongLength = 0;
  for (const g of data.testGroups) {
    const key = g.publicKey as { curve?: string; pk?: string } | undefined;
    if (g.type !== 'EddsaVerify' || key?.curve !== 'edwards25519' || typeof key.pk !== 'string') {
      run.fail(`unexpected group ${g.type}/${String(key?.curve)}: the checker needs a policy for it`);
      continue;
    }
    const pk = fromHex(key.pk);
    for (const t of g.tests) {
      run.case(`tcId ${t.tcId} (${t.result} ${t.flags.join(',')}: ${t.comment})`, () => {
        const msg = fromHex(field(t, 'msg'));
        const sig = fromHex(field(t, 'sig'));
        if (t.result === 'valid') {
          expectTrue('verify', p.ed25519Verify(pk, msg, sig));
        } else if (t.result === 'invalid') {
          if (sig.length !== 64) {
            wrongLength++;
            let ok: boolean;
            try {
              ok = p.ed25519Verify(pk, msg, sig);
            } catch (e) {
              if (e instanceof RangeError) return; // rejected by the length contract
              throw e;
            }
            expectFalse('verify (wrong-length signature)', ok);
          } else {
            expectFalse('verify', p.ed25519Verify(pk, msg, sig));
          }
        } else {
          throw new CaseFailure('"acceptable" Ed25519 case: no policy decided; document one in checks/ed25519.ts');
        }
      });
    }
  }
  run.note(`${wrongLength} invalid cases have a signature that is not 64 bytes (RangeError or false both count as rejected)`);
  return run.finish();
}

/** One line of sign.input: `sk||pk : pk : msg : sig||msg :`. */
export interface SignInputLine { line: number; seed: Uint8Array; pk: Uint8Array; msg: Uint8Array; sig: Uint8Array }

export function parseSignInput(text: string): SignInputLine[] {
  const out: SignInputLine[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    const f = l.split(':');
    if (f.length !== 5 || f[4] !== '') throw new Error(`${RFC8032_FILE} line ${i + 1}: expected 4 fields and a trailing ':'`);
    const sk = fromHex(f[0]);
    const pk = fromHex(f[1]);
    const msg = fromHex(f[2]);
    const sm = fromHex(f[3]);
    if (sk.length !== 64 || pk.length !== 32 || sm.length !== 64 + msg.length
      || !equalBytes(sk.subarray(32), pk) || !equalBytes(sm.subarray(64), msg)) {
      throw new Error(`${RFC8032_FILE} line ${i + 1}: fields are inconsistent (sk||pk, pk, msg, sig||msg)`);
    }
    out.push({ line: i + 1, seed: sk.slice(0, 32), pk, msg, sig: sm.slice(0, 64) });
  });
  return out;
}

/**
 * RFC 8032 §7.1 TEST 1, 2, 3 and 1024 are lines 1, 2, 3 and 1024 of this SUPERCOP
 * sign.input file; all 1024 lines are checked: public key from seed, the (deterministic)
 * signature, and that verify accepts it.
 */
export function checkRfc8032(p: Platform, text: string = vectorText(RFC8032_FILE), expectedLines = 1024): Report {
  const lines = parseSignInput(text);
  const run = new Run('RFC 8032 / sign.input', expectedLines);
  if (lines.length !== expectedLines) run.fail(`file has ${lines.length} vectors, expected ${expectedLines}`);
  for (const v of lines) {
    run.case(`line ${v.line} (msg ${v.msg.length} B)`, () => {
      expectBytes('public key', p.ed25519PublicKey(v.seed), v.pk);
      expectBytes('signature', p.ed25519Sign(v.seed, v.msg), v.sig);
      expectTrue('verify', p.ed25519Verify(v.pk, v.msg, v.sig));
    });
  }
  return run.finish();
}
