// Ed25519 against published vectors, on every platform: Wycheproof verification
// cases and the RFC 8032 / SUPERCOP sign.input file (1024 key/sign/verify vectors).

import { suite } from 'uvu';
import { PLATFORM_NAMES, platform } from '../support/platform.ts';
import { assertClean } from '../support/report.ts';
import { checkRfc8032, checkWycheproofEd25519 } from '../support/checks/ed25519.ts';

const test = suite('vectors: Ed25519');

for (const name of PLATFORM_NAMES) {
  test(`${name}: Wycheproof ed25519_test.json`, async () => {
    assertClean(checkWycheproofEd25519(await platform(name)));
  });
  test(`${name}: RFC 8032 §7.1 / sign.input, all 1024 lines (public key, signature, verify)`, async () => {
    assertClean(checkRfc8032(await platform(name)));
  });
}

test.run();
