// Seeded cross-check of the core's ChaCha20-Poly1305 against @noble/ciphers and
// node:crypto, and single-bit tampering of ct||tag, aad, nonce and key.

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossAead, crossAeadTamper } from '../support/checks/cross.ts';

const test = suite('crosscheck: ChaCha20-Poly1305');

test('core: every plaintext length 0..1024 vs @noble and node:crypto', async () => {
  assertClean(crossAead(await platform('core'), rng('crosscheck/aead/lengths')));
});

test('core: open returns null after any single-bit change of ct||tag, aad, nonce or key', async () => {
  assertClean(crossAeadTamper(await platform('core'), rng('crosscheck/aead/tamper')));
});

test.run();
