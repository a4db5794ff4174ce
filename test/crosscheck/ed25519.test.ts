// Seeded cross-check of the core's Ed25519 (and the did:key X25519 conversion)
// against @noble/curves and node:crypto.

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossEd25519, crossEdToX25519 } from '../support/checks/cross.ts';

const test = suite('crosscheck: Ed25519');

test('core: sign every message length 0..1024, verify valid and mutated signatures, vs @noble and node:crypto', async () => {
  assertClean(crossEd25519(await platform('core'), rng('crosscheck/ed25519/sign')));
});

test('core: ed25519ToX25519Public/Secret vs @noble toMontgomery and X25519 consistency', async () => {
  assertClean(crossEdToX25519(await platform('core'), rng('crosscheck/ed25519/to-x25519'), 200));
});

test.run();
