// X25519 vector checks: Wycheproof x25519_test.json, RFC 7748 §5.2 (pyca's
// rfc7748.txt) and the RFC 7748 §5.2 iterated test.

import type { Platform } from '../platform.ts';
import { fromHex } from '../hex.ts';
import { field, vectorText, wycheproof, type WycheproofFile } from '../vectors.ts';
import { CaseFailure, Run, expectBytes, expectThrow, isCoreError, type Report } from '../report.ts';

export const X25519_WYCHEPROOF = 'x25519_test.json';
export const RFC7748_FILE = 'pyca-cryptography/vectors/cryptography_vectors/asymmetric/X25519/rfc7748.txt';

/**
 * Wycheproof X25519. Policy for each result:
 *  - valid: the shared secret must match exactly.
 *  - acceptable with an all-zero shared secret (flags LowOrderPublic / ZeroSharedSecret,
 *    some also Twist or NonCanonicalPublic): REJECTED. Our contract throws CoreError
 *    LOW_ORDER, as RFC 7748 §6.1 allows ("check ... for the all-zero value and abort");
 *    the Noise and HPKE layers above rely on it (HPKE RFC 9180 §7.1.4 requires it).
 *  - other acceptable cases: ACCEPTED and must match. Twist points (the public key lies on
 *    the quadratic twist): the ladder's result is well defined and X25519 has no point
 *    validation (RFC 7748 §5). NonCanonicalPublic (u >= p, or the top bit set): RFC 7748 §5
 *    says implementations MUST mask the top bit and MUST accept non-canonical values as if
 *    reduced mod p. EdgeCaseShared, EdgeCaseMultiplication, EdgeCasePrivateKey, Ktv: ordinary computations with unusual values.
 *  - invalid (none in the current file): must be rejected (any CoreError or RangeError).
 * No exclusions: every case runs.
 */
export function checkWycheproofX25519(p: Platform, data: WycheproofFile = wycheproof(X25519_WYCHEPROOF)): Report {
  const run = new Run(`Wycheproof ${X25519_WYCHEPROOF}`, data.numberOfTests);
  for (const g of data.testGroups) {
    if (g.type !== 'XdhComp' || g.curve !== 'curve25519') {
      run.fail(`unexpected group type ${g.type}/${String(g.curve)}: the checker needs a policy for it`);
      continue;
    }
    for (const t of g.tests) {
      run.case(`tcId ${t.tcId} (${t.result} ${t.flags.join(',')})`, () => {
        const scalar = fromHex(field(t, 'private'));
        const u = fromHex(field(t, 'public'));
        const shared = fromHex(field(t, 'shared'));
        const zero = shared.every((b) => b === 0);
        if (zero !== t.flags.includes('ZeroSharedSecret')) {
          throw new CaseFailure('vector reading is wrong: an all-zero shared value and the ZeroSharedSecret flag disagree');
        }
        if (t.result === 'invalid') {
          expectThrow('x25519', () => p.x25519(scalar, u), (e) => isCoreError('LOW_ORDER')(e) || e instanceof RangeError, 'a rejection');
        } else if (zero) {
          // acceptable/valid with a zero shared secret: decision REJECT (see the policy above)
          expectThrow('x25519', () => p.x25519(scalar, u), isCoreError('LOW_ORDER'), 'CoreError LOW_ORDER');
        } else {
          // valid, or acceptable Twist / NonCanonicalPublic / EdgeCase: decision ACCEPT and match
          expectBytes('x25519', p.x25519(scalar, u), shared);
        }
      });
    }
  }
  return run.finish();
}

/** RFC 7748 §5.2 vectors as pyca/cryptography's rfc7748.txt (COUNT/INPUT_SCALAR/INPUT_U/OUTPUT_U blocks). */
export function checkRfc7748File(p: Platform, text: string = vectorText(RFC7748_FILE)): Report {
  const blocks = text.split(/\n\s*\n/).map((b) => Object.fromEntries(
    b.split('\n').map((l) => /^\s*([A-Z_]+)\s*=\s*(\S+)\s*$/.exec(l)).filter((m) => m !== null).map((m) => [m![1], m![2]]),
  )).filter((b) => 'COUNT' in b);
  const run = new Run('RFC 7748 §5.2 (rfc7748.txt)', blocks.length);
  run.note(`${blocks.length} COUNT blocks`);
  for (const b of blocks) {
    run.case(`COUNT ${b.COUNT}`, () => {
      for (const k of ['INPUT_SCALAR', 'INPUT_U', 'OUTPUT_U']) if (!(k in b)) throw new CaseFailure(`block lacks ${k}`);
      expectBytes('x25519', p.x25519(fromHex(b.INPUT_SCALAR), fromHex(b.INPUT_U)), fromHex(b.OUTPUT_U));
    });
  }
  return run.finish();
}

/**
 * RFC 7748 §5.2 iterated test: k = u = 9 (as 32 bytes); each round sets k, u = X25519(k, u), k.
 * Published results (RFC 7748 §5.2): after 1 iteration 422c8e7a…3079, after 1000 684cf59b…2c51.
 */
export const RFC7748_ITERATED: Record<number, string> = {
  1: '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
  1000: '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51',
};

export function checkRfc7748Iterated(p: Platform, iterations: number, expectedHex: string = RFC7748_ITERATED[iterations]): Report {
  const run = new Run(`RFC 7748 §5.2 iterated x${iterations}`, 1);
  run.case(`${iterations} iterations`, () => {
    let k: Uint8Array = new Uint8Array(32);
    let u: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    u[0] = 9;
    for (let i = 0; i < iterations; i++) {
      const r = p.x25519(k, u);
      u = k;
      k = r;
    }
    expectBytes(`k after ${iterations}`, k, fromHex(expectedHex));
  });
  return run.finish();
}
