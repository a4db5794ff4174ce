// The sensor-side footprint: the release module, its linear memory and WASM
// stack bound, and the board-independent C compiled for Cortex-M4 with -Os
// (arm-none-eabi-gcc from Debian's gcc-arm-none-eabi). Renders the budget
// table each board README carries between footprint markers, and rewrites it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectWasm } from '../../scripts/wasm-inspect.ts';
import { BOARDS, type Board } from './firmware-boards.ts';
import { wasmStackBound, type StackBound } from './firmware-stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every C file that includes no vendor header, compiled for Cortex-M4 in CI. */
export const BOARD_INDEPENDENT_C = [
  'hal/c/sealink_wamr_natives.c',
  'boards/common/sealink_runner.c',
  'boards/common/sealink_console.c',
  'boards/common/sealink_did.c',
  'boards/common/sealink_key.c',
  'boards/common/sealink_claim.c',
  'boards/common/sealink_net_bsd.c',
  'boards/common/board_accel_none.c',
];
/** What the WAMR boards link of them (they bring their own accelerators). */
const WAMR_BOARD_C = BOARD_INDEPENDENT_C.filter((f) => !f.endsWith('board_accel_none.c'));

export const CORTEX_M4_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-Os', '-ffunction-sections', '-fdata-sections'];

export interface ObjectSize { file: string; text: number; data: number; bss: number; maxFrame: number; maxFrameFn: string }

export interface Footprint {
  moduleBytes: number;
  codeBytes: number;
  dataBytes: number;
  linearMemoryBytes: number;
  wasmStack: StackBound;
  /** Per file, Cortex-M4 -Os; null with the reason when arm-none-eabi-gcc is missing. */
  cortexM4: ObjectSize[] | null;
  cortexM4Missing?: string;
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Compiles `files` for Cortex-M4 (-Os, -fstack-usage); sizes from arm-none-eabi-size. Throws on a compile error. */
export function compileCortexM4(files: string[], extraFlags: string[] = []): ObjectSize[] {
  const dir = mkdtempSync(join(tmpdir(), 'sealink-cm4-'));
  try {
    const out: ObjectSize[] = [];
    for (const f of files) {
      const obj = join(dir, basename(f).replace(/\.c$/, '.o'));
      const cc = spawnSync('arm-none-eabi-gcc', [...CORTEX_M4_FLAGS, '-std=c11', '-Wall', '-Wextra', '-Werror', '-fstack-usage',
        ...extraFlags, '-I', join(ROOT, 'hal/c'), '-I', join(ROOT, 'boards/common'), '-c', join(ROOT, f), '-o', obj],
      { encoding: 'utf8', cwd: dir });
      if (cc.status !== 0) throw new Error(`arm-none-eabi-gcc ${f} failed:\n${cc.stderr}`);
      const size = spawnSync('arm-none-eabi-size', [obj], { encoding: 'utf8' });
      if (size.status !== 0) throw new Error(`arm-none-eabi-size ${obj}: ${size.stderr}`);
      const [text, data, bss] = size.stdout.trim().split('\n')[1].trim().split(/\s+/).map(Number);
      let maxFrame = 0;
      let maxFrameFn = '';
      const su = obj.replace(/\.o$/, '.su');
      if (existsSync(su)) {
        for (const line of readFileSync(su, 'utf8').split('\n')) {
          const m = /:([^:\s]+)\s+(\d+)\s+\w+/.exec(line);
          if (m && Number(m[2]) > maxFrame) { maxFrame = Number(m[2]); maxFrameFn = m[1]; }
        }
      }
      out.push({ file: f, text, data, bss, maxFrame, maxFrameFn });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The stack bound of the release module, with function names from the build's
 * `.names.wasm` twin (same bodies plus a name section) when it matches.
 */
function stackWithNames(bytes: Uint8Array, wasm: string): StackBound {
  const bound = wasmStackBound(bytes);
  const twin = wasm.replace(/\.wasm$/, '.names.wasm');
  if (twin !== wasm && existsSync(twin)) {
    const named = wasmStackBound(new Uint8Array(readFileSync(twin)));
    if (named.bytes === bound.bytes && named.chain.length === bound.chain.length) return named;
  }
  return bound;
}

/** Measures the footprint of `wasm` (default build/sealink-core.wasm). */
export function measureFootprint(wasm = join(ROOT, 'build/sealink-core.wasm')): Footprint {
  if (!existsSync(wasm)) throw new Error(`${wasm} not found: run \`npm run build\` first`);
  const bytes = new Uint8Array(readFileSync(wasm));
  const facts = inspectWasm(bytes);
  const heapIndex = facts.exports.find((e) => e.name === '__heap_base' && e.kind === 3)?.index ?? -1;
  const fp: Footprint = {
    moduleBytes: bytes.length,
    codeBytes: facts.sections.find((s) => s.name === 'code')?.size ?? 0,
    dataBytes: facts.dataBytes,
    linearMemoryBytes: facts.globals[heapIndex]?.init ?? 0,
    wasmStack: stackWithNames(bytes, wasm),
    cortexM4: null,
  };
  if (has('arm-none-eabi-gcc') && has('arm-none-eabi-size')) fp.cortexM4 = compileCortexM4(BOARD_INDEPENDENT_C);
  else fp.cortexM4Missing = 'arm-none-eabi-gcc not found (apt-get install gcc-arm-none-eabi)';
  return fp;
}

const kib = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/** The rows of a board's budget table: [item, flash bytes | null, RAM bytes | null, how]. */
export function budgetRows(fp: Footprint, board: Board): [string, number | null, number | null, string][] {
  const rows: [string, number | null, number | null, string][] = [
    ['core module (release .wasm)', fp.moduleBytes, null, `measured: code ${fp.codeBytes} B, data ${fp.dataBytes} B`],
    ['core linear memory (`__heap_base`)', null, fp.linearMemoryBytes, 'measured: all of the core\'s state (docs/memory.md)'],
    ['core WASM stack, deepest call chain', null, fp.wasmStack.bytes,
      `static bound: ${fp.wasmStack.chain[0] ?? '-'} → … (${fp.wasmStack.chain.length} frames)${fp.wasmStack.recursive ? ', RECURSIVE: no bound' : ''}`],
  ];
  if (board.kind !== 'host' && fp.cortexM4) {
    const objs = fp.cortexM4.filter((o) => WAMR_BOARD_C.includes(o.file));
    const text = objs.reduce((a, o) => a + o.text, 0);
    const data = objs.reduce((a, o) => a + o.data, 0);
    const bss = objs.reduce((a, o) => a + o.bss, 0);
    const frame = objs.reduce((a, o) => (o.maxFrame > a.maxFrame ? o : a), objs[0]);
    rows.push(['board-independent C (runner, console, did, key, claim, sockets, HAL natives)', text + data, data + bss,
      'measured: Cortex-M4 -Os, arm-none-eabi-size text+data / data+bss']);
    rows.push(['largest native C frame in it', null, frame.maxFrame, `measured: -fstack-usage (${frame.maxFrameFn})`]);
  }
  if (board.wamrPoolKiB) rows.push(['WAMR pool: runtime, module, instance, linear memory', null, board.wamrPoolKiB * 1024, 'configured (boot log prints the high-water mark)']);
  if (board.wamrStackKiB) rows.push(['WAMR execution stack', null, board.wamrStackKiB * 1024, 'configured']);
  return rows;
}

export const TABLE_BEGIN = '<!-- footprint:begin (generated by `npx sealink firmware footprint --update`) -->';
export const TABLE_END = '<!-- footprint:end -->';

export function renderTable(fp: Footprint, board: Board): string {
  const lines = ['| item | flash | RAM | how |', '|---|---:|---:|---|'];
  for (const [item, flash, ram, how] of budgetRows(fp, board)) {
    lines.push(`| ${item} | ${flash === null ? '–' : kib(flash)} | ${ram === null ? '–' : kib(ram)} | ${how} |`);
  }
  return [TABLE_BEGIN, ...lines, TABLE_END].join('\n');
}

/** The table currently in a README, or null when it has no markers. */
export function readmeTable(readme: string): string | null {
  const a = readme.indexOf(TABLE_BEGIN);
  const b = readme.indexOf(TABLE_END);
  return a < 0 || b < a ? null : readme.slice(a, b + TABLE_END.length);
}

/**
 * Every README that carries a budget table, with the board its figures are
 * for: each board's own, and the project README, which shows the nRF52840's
 * (the board with the least RAM).
 */
export function budgetReadmes(): { path: string; board: Board }[] {
  return [
    ...BOARDS.map((board) => ({ path: join(ROOT, board.project, 'README.md'), board })),
    { path: join(ROOT, 'README.md'), board: BOARDS.find((b) => b.name === 'nrf52840dk')! },
  ];
}

/** Rewrites the table in each README that has one; returns the READMEs that changed. */
export function updateReadmes(fp: Footprint): string[] {
  const changed: string[] = [];
  for (const { path, board } of budgetReadmes()) {
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const old = readmeTable(text);
    if (old === null) continue;
    const fresh = renderTable(fp, board);
    if (old !== fresh) {
      writeFileSync(path, text.replace(old, fresh));
      changed.push(path);
    }
  }
  return changed;
}

/** Human summary printed by `firmware build` and `firmware footprint`. */
export function formatFootprint(fp: Footprint): string {
  const out = [
    `  core module          ${String(fp.moduleBytes).padStart(7)} B  (code ${fp.codeBytes}, data ${fp.dataBytes})`,
    `  linear memory        ${String(fp.linearMemoryBytes).padStart(7)} B  (__heap_base)`,
    `  wasm stack (bound)   ${String(fp.wasmStack.bytes).padStart(7)} B  ${fp.wasmStack.recursive ? 'RECURSIVE' : `via ${fp.wasmStack.chain.slice(0, 3).join(' → ')} …`}`,
  ];
  if (fp.cortexM4) {
    out.push('  Cortex-M4 -Os         text   data    bss  max frame');
    for (const o of fp.cortexM4) {
      out.push(`    ${basename(o.file).padEnd(22)}${String(o.text).padStart(5)}${String(o.data).padStart(7)}${String(o.bss).padStart(7)}${String(o.maxFrame).padStart(8)} B  ${o.maxFrameFn}`);
    }
    const t = fp.cortexM4.reduce((a, o) => [a[0] + o.text, a[1] + o.data, a[2] + o.bss], [0, 0, 0]);
    out.push(`    ${'total'.padEnd(22)}${String(t[0]).padStart(5)}${String(t[1]).padStart(7)}${String(t[2]).padStart(7)}`);
  } else {
    out.push(`  Cortex-M4: not measured, ${fp.cortexM4Missing}`);
  }
  return out.join('\n');
}
