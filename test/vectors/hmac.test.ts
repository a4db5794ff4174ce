// HMAC-SHA256 against Wycheproof, on every platform (truncated tags compared as prefixes).

import { suite } from 'uvu';
import { PLATFORM_NAMES, platform } from '../support/platform.ts';
import { assertClean } from '../support/report.ts';
import { checkWycheproofHmac } from '../support/checks/mac.ts';

const test = suite('vectors: HMAC-SHA256');

for (const name of PLATFORM_NAMES) {
  test(`${name}: Wycheproof hmac_sha256_test.json`, async () => {
    assertClean(checkWycheproofHmac(await platform(name)));
  });
}

test.run();
