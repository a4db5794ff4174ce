// Helpers of the store tests.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory and its remover. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sealink-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The body of reading `seq` in the crash test (child and parent both compute it). */
export function crashBody(seq: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`reading ${seq}`).digest());
}
