// SHA-256 and SHA-512 against the FIPS 180-2 appendix known answers, on every platform.

import { suite } from 'uvu';
import { PLATFORM_NAMES, platform } from '../support/platform.ts';
import { assertClean } from '../support/report.ts';
import { checkFips180 } from '../support/checks/sha.ts';

const test = suite('vectors: SHA-2');

for (const name of PLATFORM_NAMES) {
  test(`${name}: FIPS 180-2 Appendix B (SHA-256: "abc", 448-bit, one million "a")`, async () => {
    assertClean(checkFips180(await platform(name), 'sha256'));
  });
  test(`${name}: FIPS 180-2 Appendix C (SHA-512: "abc", 896-bit, one million "a")`, async () => {
    assertClean(checkFips180(await platform(name), 'sha512'));
  });
}

test.run();
