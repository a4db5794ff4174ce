// ChaCha20-Poly1305 against published vectors, on every platform: Wycheproof and
// RFC 8439 (§2.8.2, A.5, and the counter-1 ChaCha20 vectors through the AEAD).

import { suite } from 'uvu';
import { PLATFORM_NAMES, platform } from '../support/platform.ts';
import { assertClean } from '../support/report.ts';
import { checkRfc8439Aead, checkRfc8439ChaCha, checkWycheproofAead } from '../support/checks/aead.ts';

const test = suite('vectors: ChaCha20-Poly1305');

for (const name of PLATFORM_NAMES) {
  test(`${name}: Wycheproof chacha20_poly1305_test.json (96-bit nonces)`, async () => {
    assertClean(checkWycheproofAead(await platform(name)));
  });
  test(`${name}: RFC 8439 §2.8.2 and A.5`, async () => {
    assertClean(checkRfc8439Aead(await platform(name)));
  });
  test(`${name}: RFC 8439 §2.4.2 and A.2 #2 (ChaCha20, counter 1) through the AEAD`, async () => {
    assertClean(checkRfc8439ChaCha(await platform(name)));
  });
}

test.run();
