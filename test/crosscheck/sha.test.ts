// Seeded cross-check of the core's SHA-256/SHA-512 against @noble/hashes and
// node:crypto: every length 0..1024, and streamed inputs beyond the exchange buffer.

import { suite } from 'uvu';
import { platform } from '../support/platform.ts';
import { rng } from '../support/rng.ts';
import { assertClean } from '../support/report.ts';
import { crossHashes, crossStreaming } from '../support/checks/cross.ts';

const test = suite('crosscheck: SHA-2');

test('core: sha256/sha512 of every length 0..1024 vs @noble and node:crypto', async () => {
  assertClean(crossHashes(await platform('core'), rng('crosscheck/sha/lengths')));
});

test('core: streamed hashes and HMAC of 8191..100000 bytes vs node:crypto', async () => {
  assertClean(crossStreaming(await platform('core'), rng('crosscheck/sha/streaming')));
});

test.run();
