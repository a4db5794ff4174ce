// Loader for the shared external test vectors (/work/shared/vectors in the
// workspace, ../shared/vectors beside the repository in CI: the same layout).

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The vectors directory: the repository's parent holds `shared/`. */
export const VECTORS_DIR: URL = new URL('../../../shared/vectors/', import.meta.url);

/** Absolute path of a file under the vectors directory; throws a clear error when it is missing. */
export function vectorPath(relative: string, base: URL = VECTORS_DIR): string {
  const dir = fileURLToPath(base);
  if (!existsSync(dir)) {
    throw new Error(`test vectors not found: expected the directory ${dir} (the repository's parent must hold shared/vectors; `
      + 'see shared/vectors/README.md). Check out the shared vectors beside the repository and re-run.');
  }
  const path = fileURLToPath(new URL(relative, base));
  if (!existsSync(path)) throw new Error(`test vector file missing: ${path} (listed in shared/vectors/README.md)`);
  return path;
}

/** Text of a vector file. */
export function vectorText(relative: string): string {
  return readFileSync(vectorPath(relative), 'utf8');
}

/** One Wycheproof test case (v1 schema): the common fields plus the algorithm's own. */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

/** One Wycheproof test group. */
export interface WycheproofGroup {
  type: string;
  tests: WycheproofTest[];
  [field: string]: unknown;
}

/** A Wycheproof v1 file. */
export interface WycheproofFile {
  algorithm: string;
  schema: string;
  numberOfTests: number;
  notes: Record<string, unknown>;
  testGroups: WycheproofGroup[];
}

/** A Wycheproof v1 file from wycheproof/testvectors_v1/, with a sanity check of its shape. */
export function wycheproof(file: string): WycheproofFile {
  const data = JSON.parse(vectorText(`wycheproof/testvectors_v1/${file}`)) as WycheproofFile;
  if (!Array.isArray(data.testGroups) || typeof data.numberOfTests !== 'number') {
    throw new Error(`${file}: not a Wycheproof v1 file (no testGroups/numberOfTests)`);
  }
  return data;
}

/** A string field of a Wycheproof case (throws if absent: a schema change must not read as empty input). */
export function field(t: WycheproofTest | WycheproofGroup, name: string): string {
  const v = t[name];
  if (typeof v !== 'string') throw new Error(`Wycheproof case ${'tcId' in t ? t.tcId : '(group)'}: field ${name} is not a string`);
  return v;
}
