// The README stays true: its relay configuration table is the config schema
// (cloud/app/config.ts FIELDS and DEFAULT_CONFIG), every `npx sealink <command>`
// it shows exists, and every file or folder it names in backquotes exists.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, FIELDS } from '../cloud/app/config.ts';
import { COMMANDS } from '../cloud/cli/main.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Rows of the markdown table whose header starts with `| flag | environment |`. */
function configRows(): Map<string, string[]> {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| flag | environment |'));
  assert.ok(start >= 0, 'README has no relay configuration table');
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ''));
    rows.set(cells[0], cells);
  }
  return rows;
}

test('the relay configuration table lists every field with its env variable and default', () => {
  const rows = configRows();
  for (const f of FIELDS) {
    const row = rows.get(`--${f.flag}`);
    assert.ok(row, `README lacks --${f.flag}`);
    assert.is(row![1], f.env, `--${f.flag}: environment variable`);
    const def = DEFAULT_CONFIG[f.key];
    const want = def === undefined || (Array.isArray(def) && def.length === 0) ? '' : String(def);
    assert.is(row![2], want, `--${f.flag}: default`);
  }
  const known = new Set(['--config', ...FIELDS.map((f) => `--${f.flag}`)]);
  assert.equal([...rows.keys()].filter((k) => !known.has(k)), [], 'README lists options the relay does not have');
});

test('every `npx sealink <command>` in the README exists', () => {
  const used = [...README.matchAll(/npx sealink ([a-z-]+)/g)].map((m) => m[1]);
  assert.ok(used.includes('demo'), 'the README starts with the demo');
  assert.equal(used.filter((c) => !(c in COMMANDS)), []);
});

test('every repository path the README names exists', () => {
  const paths = [...README.matchAll(/`((?:firmware|hal|boards|cloud|scripts|test|bench|docs)\/[A-Za-z0-9_./-]*)`/g)].map((m) => m[1]);
  assert.ok(paths.length > 10, `only ${paths.length} paths found`);
  assert.equal(paths.filter((p) => !existsSync(join(ROOT, p))), []);
});

test.run();
