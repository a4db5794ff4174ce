// Seeded cross-check of the core's HKDF-SHA256 against @noble/hashes and node:crypto (hkdfSync).

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossHkdf } from '../support/checks/cross.ts';

const test = suite('crosscheck: HKDF-SHA256');

test('core: every ikm length and every output length 0..1024 vs @noble and node:crypto', async () => {
  assertClean(crossHkdf(await platform('core'), rng('crosscheck/hkdf')));
});

test.run();
