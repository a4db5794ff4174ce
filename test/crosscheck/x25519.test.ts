// Seeded cross-check of the core's X25519 against @noble/curves and node:crypto.

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossX25519 } from '../support/checks/cross.ts';

const test = suite('crosscheck: X25519');

test('core: 300 random key pairs and 150 random u (any 32 bytes) vs @noble and node:crypto', async () => {
  assertClean(crossX25519(await platform('core'), rng('crosscheck/x25519'), 300, 150));
});

test.run();
