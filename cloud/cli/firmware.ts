// `sealink firmware`: build the sensor core for a board and stage its project,
// flash it, or print its footprint.
//
//   sealink firmware build --board <name> [--out DIR] [--wasm FILE] [--no-core-build]
//   sealink firmware flash --board <name> --port <dev> [--out DIR]
//   sealink firmware footprint [--update] [--wasm FILE]
//   sealink firmware boards

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectWasm } from '../../scripts/wasm-inspect.ts';
import { BOARDS, boardByName, CliError, type Board } from './firmware-boards.ts';
import { buildHostBoard, PROTOCOL_EXPORTS } from './firmware-host.ts';
import { formatFootprint, measureFootprint, updateReadmes } from './firmware-footprint.ts';
import { stageProject } from './firmware-stage.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_WASM = join(ROOT, 'build/sealink-core.wasm');

export const USAGE = `usage:
  sealink firmware build --board <board> [--out DIR] [--wasm FILE] [--no-core-build]
      builds the core (npm run build, when the sources are newer than the .wasm), then
      host: compiles build/boards/host/sealink-host (wasm2c + gcc);
      esp32-devkitc, nrf52840dk: stages a project ready for idf.py / west in DIR
      (default build/boards/<board>): the core as a C array, the wamrc line and,
      when wamrc is on PATH, the AOT image. Prints the footprint.
  sealink firmware flash --board <board> --port <dev> [--out DIR]
      runs the vendor tool (idf.py, west) on the staged project, or prints exactly
      what to install and run when it is missing
  sealink firmware footprint [--update] [--wasm FILE]
      prints the sensor-side footprint; --update rewrites the board README tables
  sealink firmware boards
boards: ${BOARDS.map((b) => b.name).join(', ')}`;

interface Args { cmd: string; board?: string; out?: string; wasm?: string; port?: string; coreBuild: boolean; update: boolean }

function parse(argv: string[]): Args {
  const a: Args = { cmd: argv[0] ?? '', coreBuild: true, update: false };
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CliError(`${k} needs a value\n${USAGE}`);
      return v;
    };
    if (k === '--board') a.board = value();
    else if (k === '--out') a.out = value();
    else if (k === '--wasm') a.wasm = value();
    else if (k === '--port') a.port = value();
    else if (k === '--no-core-build') a.coreBuild = false;
    else if (k === '--update') a.update = true;
    else if (k === '--help' || k === '-h') a.cmd = 'help';
    else throw new CliError(`unknown option ${k}\n${USAGE}`);
  }
  return a;
}

const t0 = Date.now();
function step(msg: string): void {
  console.log(`[firmware ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The release module to use: --wasm, or build/sealink-core.wasm rebuilt when stale. */
function coreWasm(a: Args): string {
  if (a.wasm) {
    const w = resolve(a.wasm);
    if (!existsSync(w)) throw new CliError(`--wasm ${a.wasm}: no such file`);
    return w;
  }
  const stale = !existsSync(DEFAULT_WASM)
    || statSync(DEFAULT_WASM).mtimeMs < Math.max(newestSource(join(ROOT, 'firmware')), statSync(join(ROOT, 'asconfig.json')).mtimeMs);
  if (stale && a.coreBuild) {
    step('building the core (npm run build): the release .wasm is missing or older than firmware/');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts')], { stdio: 'inherit', cwd: ROOT });
    if (r.status !== 0) throw new CliError('the core build failed (output above); --no-core-build stages build/sealink-core.wasm as it is');
  } else if (stale) {
    step('warning: build/sealink-core.wasm is older than firmware/ (--no-core-build)');
  }
  if (!existsSync(DEFAULT_WASM)) throw new CliError('build/sealink-core.wasm not found: run `npm run build`');
  return DEFAULT_WASM;
}

function requireProtocol(wasm: string): void {
  const names = new Set(inspectWasm(new Uint8Array(readFileSync(wasm))).exports.map((e) => e.name));
  const missing = PROTOCOL_EXPORTS.filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new CliError(`${relative(process.cwd(), wasm)} lacks the protocol entry points ${missing.join(', ')}: a board cannot run it`);
  }
}

function defaultOut(board: Board): string {
  return join(ROOT, 'build/boards', board.name);
}

function build(a: Args): void {
  if (!a.board) throw new CliError(`--board is required\n${USAGE}`);
  const board = boardByName(a.board);
  const wasm = coreWasm(a);
  requireProtocol(wasm);
  const out = resolve(a.out ?? defaultOut(board));
  if (board.kind === 'host') {
    step(`compiling the host board: ${relative(ROOT, wasm)} through wasm2c, gcc`);
    let r;
    try {
      r = buildHostBoard({ wasm, outDir: out });
    } catch (e) {
      throw new CliError(`host build failed: ${(e as Error).message}`);
    }
    step(`ok: ${r.output}`);
    console.log(`\nrun it:\n  ${r.output} --state ~/.sealink-host --enroll claim.txt --send-stdin\n(boards/host/README.md lists every option)`);
  } else {
    const staged = stageProject(board, wasm, out, step);
    step(`ok: ${staged.outDir} is ready`);
    console.log(`\nnext, in ${staged.outDir}:\n${board.buildSteps!.map((s) => `  ${s}`).join('\n')}\n  npx sealink firmware flash --board ${board.name} --port <dev>${a.out ? ` --out ${a.out}` : ''}`);
    if (board.kind === 'zephyr') console.log(`(the first time: cd ${resolve(out, '..')} && west init -l ${out} && west update)`);
  }
  step('footprint of the sensor side');
  console.log(formatFootprint(measureFootprint(wasm)));
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function flash(a: Args): void {
  if (!a.board) throw new CliError(`--board is required\n${USAGE}`);
  const board = boardByName(a.board);
  if (board.kind === 'host') {
    console.log('The host board runs in place, nothing to flash:\n  npx sealink firmware build --board host\n  build/boards/host/sealink-host --state DIR ...');
    return;
  }
  if (!a.port) throw new CliError(`--port is required for ${board.name}${board.kind === 'zephyr' ? ' (the J-Link serial number, see `nrfutil device list`)' : ' (e.g. /dev/ttyUSB0)'}`);
  const out = resolve(a.out ?? defaultOut(board));
  const steps = [...board.buildSteps!, ...board.flashSteps!].map((s) => s.replaceAll('{port}', a.port!));
  const staged = existsSync(join(out, 'sealink', 'sealink_core_wasm.h'));
  if (!has(board.flashTool!)) {
    const lines = [
      `${board.flashTool} is not on PATH. Install:`, ...board.install!.map((l) => `  ${l}`), '', 'then run:',
      ...(staged ? [] : [`  npx sealink firmware build --board ${board.name}${a.out ? ` --out ${a.out}` : ''}`]),
      `  cd ${out}`, ...steps.map((s) => `  ${s}`),
    ];
    console.log(lines.join('\n'));
    process.exitCode = 2;
    return;
  }
  if (!staged) throw new CliError(`${out} is not staged: run \`npx sealink firmware build --board ${board.name}${a.out ? ` --out ${a.out}` : ''}\` first`);
  for (const s of steps) {
    const command = s.replace(/\s+#.*$/, '');
    if (command.includes('menuconfig')) {
      step(`skipping \`${command}\` (interactive): run it yourself once to set Wi-Fi`);
      continue;
    }
    step(`${command}   (in ${out})`);
    const r = spawnSync('sh', ['-c', command], { cwd: out, stdio: 'inherit' });
    if (r.status !== 0) throw new CliError(`\`${command}\` failed (exit ${r.status})`);
  }
  step('flashed');
}

function footprint(a: Args): void {
  const wasm = a.wasm ? resolve(a.wasm) : DEFAULT_WASM;
  step(`measuring ${relative(process.cwd(), wasm)}`);
  const fp = measureFootprint(wasm);
  console.log(formatFootprint(fp));
  if (a.update) {
    if (!fp.cortexM4) throw new CliError(`cannot update the README tables: ${fp.cortexM4Missing}`);
    const changed = updateReadmes(fp);
    step(changed.length ? `updated ${changed.map((p) => relative(ROOT, p)).join(', ')}` : 'README tables already current');
  }
}

/** Entry point of `sealink firmware ...`. */
export async function firmwareCommand(argv: string[]): Promise<void> {
  const a = parse(argv);
  if (a.cmd === 'build') build(a);
  else if (a.cmd === 'flash') flash(a);
  else if (a.cmd === 'footprint') footprint(a);
  else if (a.cmd === 'boards') for (const b of BOARDS) console.log(`${b.name.padEnd(15)} ${b.soc}  (${b.project})`);
  else if (a.cmd === 'help' || a.cmd === '') console.log(USAGE);
  else throw new CliError(`unknown firmware command "${a.cmd}"\n${USAGE}`);
}
