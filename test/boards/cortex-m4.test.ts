// Every board-independent C file (no vendor header: boards/common, hal/c)
// compiles for Cortex-M4 with arm-none-eabi-gcc -Os and -Werror, its sizes
// are printed, and each board README's budget table is current.
// Needs Debian's gcc-arm-none-eabi (installed here when missing, as root).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureArmGcc } from './support.ts';
import { BOARDS } from '../../cloud/cli/firmware-boards.ts';
import {
  BOARD_INDEPENDENT_C, CORTEX_M4_FLAGS, compileCortexM4, measureFootprint, readmeTable, budgetReadmes, renderTable, type Footprint,
} from '../../cloud/cli/firmware-footprint.ts';

ensureArmGcc();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Headers a board-independent file may include: its own project's and the freestanding C ones. */
const PORTABLE = /^(stdint|stddef|stdbool|sealink_[a-z_]+|wamr_[a-z_]+)\.h$|^wasm_export\.h$/;

function cFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? cFiles(p) : e.name.endsWith('.c') ? [relative(ROOT, p)] : [];
  });
}

test('every C file that includes no vendor or OS header is in the Cortex-M4 list', () => {
  const portable = [...cFiles(join(ROOT, 'boards')), ...cFiles(join(ROOT, 'hal/c'))].filter((f) => {
    const includes = [...readFileSync(join(ROOT, f), 'utf8').matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)].map((m) => m[1]);
    return includes.every((h) => PORTABLE.test(h));
  });
  assert.equal([...portable].sort(), [...BOARD_INDEPENDENT_C].sort(),
    'cloud/cli/firmware-footprint.ts BOARD_INDEPENDENT_C must list exactly the portable files');
});

let sizes: ReturnType<typeof compileCortexM4> = [];

test(`board-independent C compiles for Cortex-M4 (${CORTEX_M4_FLAGS.join(' ')} -Werror)`, () => {
  sizes = compileCortexM4(BOARD_INDEPENDENT_C);
  console.log(`\n  Cortex-M4 -Os (arm-none-eabi-size)   text   data    bss  largest frame`);
  for (const o of sizes) {
    console.log(`    ${o.file.padEnd(34)}${String(o.text).padStart(5)}${String(o.data).padStart(7)}${String(o.bss).padStart(7)}  ${o.maxFrame} B ${o.maxFrameFn}`);
  }
  const t = sizes.reduce((a, o) => [a[0] + o.text, a[1] + o.data, a[2] + o.bss], [0, 0, 0]);
  console.log(`    ${'total'.padEnd(34)}${String(t[0]).padStart(5)}${String(t[1]).padStart(7)}${String(t[2]).padStart(7)}`);
  assert.is(sizes.length, BOARD_INDEPENDENT_C.length);
  // libhydrogen-style limits, stated in boards/README: small code, no big frames.
  assert.ok(t[0] < 16 * 1024, `board-independent code grew to ${t[0]} bytes`);
  for (const o of sizes) assert.ok(o.maxFrame <= 512, `${o.file}: ${o.maxFrameFn} uses a ${o.maxFrame}-byte frame`);
});

test('the board-independent C also compiles against the real WAMR signature set (no shim drift in use)', () => {
  // The runner must build with the shim alone (no WAMR here); this keeps the
  // shim honest about what the runner uses: every wasm_runtime_* call in the
  // runner is declared by the shim.
  const runner = readFileSync(join(ROOT, 'boards/common/sealink_runner.c'), 'utf8');
  const shim = readFileSync(join(ROOT, 'boards/common/wamr_runtime_shim.h'), 'utf8');
  const used = new Set([...runner.matchAll(/\b(wasm_runtime_[a-z_]+)\s*\(/g)].map((m) => m[1]));
  for (const fn of used) assert.ok(new RegExp(`\\b${fn}\\(`).test(shim), `${fn} is used but not in wamr_runtime_shim.h`);
});

/** Byte figures of a table's rows ("1.2 KiB" or "352 B"; -1 for "–"), by item. */
function figures(table: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| item'))) {
    const cells = line.split('|').map((c) => c.trim());
    rows.set(cells[1], [cells[2], cells[3]].map((c) => (c === '–' ? -1 : Number.parseFloat(c) * (c.endsWith('KiB') ? 1024 : 1))));
  }
  return rows;
}

test('each board README and the project README carry a current budget table (within 5%)', () => {
  let fp: Footprint;
  try {
    fp = measureFootprint();
  } catch (e) {
    assert.unreachable(`cannot measure the footprint: ${(e as Error).message}`);
    return;
  }
  const stale: string[] = [];
  for (const { path, board } of budgetReadmes()) {
    const readme = readFileSync(path, 'utf8');
    const have = readmeTable(readme);
    assert.ok(have, `${path} has no footprint table markers`);
    const want = figures(renderTable(fp, board));
    const got = figures(have!);
    for (const [item, [flash, ram]] of want) {
      const g = got.get(item);
      const close = (a: number, b: number) => (a < 0 && b < 0) || Math.abs(a - b) <= Math.max(0.05 * b, 256);
      if (!g || !close(g[0], flash) || !close(g[1], ram)) stale.push(`${path}: ${item} is ${flash} / ${ram} B, README says ${g?.join(' / ') ?? 'nothing'}`);
    }
  }
  assert.equal(stale, [], `README footprint tables are stale; run \`npx sealink firmware footprint --update\`:\n${stale.join('\n')}`);
});

test.run();
