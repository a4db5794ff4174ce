// HKDF-SHA256 against Wycheproof, on every platform. The RFC 5869 Appendix A.1-A.3
// vectors are the Wycheproof cases commented "RFC 5869" (tcIds 1-3).

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PLATFORM_NAMES, platform } from '../support/platform.ts';
import { assertClean } from '../support/report.ts';
import { checkWycheproofHkdf } from '../support/checks/mac.ts';

const test = suite('vectors: HKDF-SHA256');

for (const name of PLATFORM_NAMES) {
  test(`${name}: Wycheproof hkdf_sha256_test.json`, async () => {
    assertClean(checkWycheproofHkdf(await platform(name)));
  });
  test(`${name}: RFC 5869 A.1-A.3 (Wycheproof tcIds commented "RFC 5869")`, async () => {
    const r = checkWycheproofHkdf(await platform(name), undefined, (c) => c === 'RFC 5869');
    assert.is(r.expected, 3, 'the HKDF file should carry the three RFC 5869 SHA-256 vectors');
    assertClean(r);
  });
}

test.run();
