// Seeded cross-check of the core's HMAC-SHA256 against @noble/hashes and node:crypto.

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossHmac } from '../support/checks/cross.ts';

const test = suite('crosscheck: HMAC-SHA256');

test('core: every message length and every key length 0..1024 vs @noble and node:crypto', async () => {
  assertClean(crossHmac(await platform('core'), rng('crosscheck/hmac')));
});

test.run();
