// Builds a ctgrind harness for a module (scripts/host-build.ts + harness.c +
// a case file), runs it under valgrind memcheck and turns memcheck's XML
// report into findings named by wasm function. Used by test/ctgrind.test.ts.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { hostBuild } from '../../scripts/host-build.ts';
import { inspectWasm } from '../../scripts/wasm-inspect.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = join(ROOT, 'test/ctgrind');

/**
 * A branch on a secret-derived value that the protocol makes public anyway.
 * Memcheck's conditional-jump reports whose innermost frame is one of `fns`
 * (wasm function names: the function with the branch, and the ones binaryen
 * may inline it into), reached from `case`, are suppressed; the run then
 * fails unless they fired exactly `perCall` times per call the case made. A
 * leak added next to the branch (an early-exit compare, a leaky primitive
 * inlined there) fires more often, and so fails.
 */
export interface Declassification {
  case: string;
  fns: string[];
  perCall: number;
  why: string;
}

export interface Finding {
  case: string;
  kind: string;
  what: string;
  /** How often memcheck saw it. */
  count: number;
  /** Innermost first: wasm function names where known, else C names; with generated-C file:line. */
  frames: string[];
  /** The innermost wasm function, and its generated C line there. */
  fn: string;
  code: string;
  /** The wasm instruction that line comes from (best effort, from wasm2c's patterns). */
  instr: string;
  origin: string;
}

export interface CaseResult { name: string; status: 'ok' | 'trap'; calls: number; trap?: string }

export interface CtgrindRun {
  seed: string;
  /** How many cases the harness has. */
  caseCount: number;
  exitCode: number | null;
  stdout: string;
  cases: CaseResult[];
  findings: Finding[];
  /** Rule violations (count mismatches) and functional failures. */
  problems: string[];
  seconds: number;
}

/** wasm2c's C name for a wasm function name (1.0.32: every character outside [A-Za-z0-9_] becomes `_`). */
export function cName(wasmName: string): string {
  return `w2c_${wasmName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** asconfig.json options as asc command-line arguments. */
function toArguments(options: Record<string, unknown>): string[] {
  return Object.entries(options).flatMap(([k, v]) => {
    if (v === true) return [`--${k}`];
    if (v === false) return [];
    return (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${k}`, String(x)]);
  });
}

/**
 * Compiles test/ctgrind/fixture.ts with the release target's options of
 * asconfig.json (plus a name section) to `outFile`.
 */
export async function compileFixture(outFile: string): Promise<void> {
  await compileRelease('fixture.ts', HERE, outFile);
}

/** Compiles `entry` (relative to baseDir) with the release options of asconfig.json plus a name section. */
export async function compileRelease(entry: string, baseDir: string, outFile: string): Promise<void> {
  const cfg = JSON.parse(readFileSync(join(ROOT, 'asconfig.json'), 'utf8'));
  const { outFile: _o, textFile: _t, ...release } = cfg.targets.release;
  // --baseDir keeps asc from reading the root asconfig.json and its entries.
  const args = [entry, '--baseDir', baseDir, ...toArguments({ ...cfg.options, ...release }),
    '--debug', '--outFile', outFile, '--textFile', outFile.replace(/\.wasm$/, '.wat')];
  const { error, stderr } = await asc.main(args);
  if (error) throw new Error(`asc ${args.join(' ')}: ${error.message}\n${stderr.toString()}`);
}

export interface HarnessBuild {
  exe: string;
  /** C function name -> wasm function name, from the module's name section. */
  names: Map<string, string>;
  /** The generated C, by line, for quoting findings. */
  cLines: string[];
}

/**
 * wasm2c + gcc: `cases` is core_cases.c, protocol_cases.c or fixture_cases.c;
 * `extra`: more C sources (the generated trace of protocol_cases.c).
 */
export function buildHarness(wasm: string, cases: string, outDir: string, opt: string, extra: string[] = []): HarnessBuild {
  const r = hostBuild({
    wasm, outDir, exe: join(outDir, 'harness'),
    sources: [join(HERE, 'harness.c'), join(HERE, cases), join(HERE, 'hal_stub.c'), ...extra],
    includeDirs: [HERE],
    // Explicit bounds checks instead of guard pages: they compare addresses
    // only (public), need no 8 GiB reservation or SIGSEGV handler under
    // valgrind, and make a secret-derived address a conditional jump too.
    cflags: [opt, '-g', '-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0', '-fno-omit-frame-pointer',
      '-fno-optimize-sibling-calls'], // keep every frame: findings are attributed by their case_* caller
  });
  const facts = inspectWasm(new Uint8Array(readFileSync(wasm)));
  const names = new Map<string, string>();
  for (const name of facts.names.values()) names.set(cName(name), name);
  for (const e of facts.exports) if (e.kind === 0) names.set(`Z_sealinkZ_${e.name}`, `export ${e.name}`);
  return { exe: r.output, names, cLines: readFileSync(join(r.outDir, 'sealink_core.c'), 'utf8').split('\n') };
}

/** Valgrind suppressions for the rules: one per (rule, function, case symbol or its gcc clone `case_x.part.0`). */
function suppressions(rules: Declassification[]): string {
  return rules.flatMap((r, i) => r.fns.flatMap((fn) => [`case_${r.case}`, `case_${r.case}.*`].map((caller, k) => [
    '{', `   ctgrind-declassify-${i}-${cName(fn)}-${k}`, '   Memcheck:Cond', `   fun:${cName(fn)}`, '   ...', `   fun:${caller}`, '}',
  ].join('\n')))).join('\n') + '\n';
}

const tag = (xml: string, name: string): string => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '';
const all = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]);
const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Runs the harness under memcheck with secrets marked undefined; never throws on findings. */
export function runCtgrind(build: HarnessBuild, opts: { seed: string; cases?: string[]; rules: Declassification[] }): CtgrindRun {
  const dir = join(build.exe, '..');
  mkdirSync(dir, { recursive: true });
  const supp = join(dir, 'declassified.supp');
  const xmlFile = join(dir, 'memcheck.xml');
  writeFileSync(supp, suppressions(opts.rules));
  const t0 = Date.now();
  const r = spawnSync('valgrind', [
    '--tool=memcheck', '--error-exitcode=1', '--track-origins=yes', '--num-callers=30',
    `--suppressions=${supp}`, '--xml=yes', `--xml-file=${xmlFile}`,
    build.exe, opts.seed, ...(opts.cases ?? []),
  ], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (Date.now() - t0) / 1000;
  if (r.error) throw new Error(`valgrind: ${r.error.message}`);
  const xml = readFileSync(xmlFile, 'utf8');

  const cases: CaseResult[] = [];
  for (const m of r.stdout.matchAll(/^case (\S+) (ok|trap) (\S+)$/gm)) {
    cases.push(m[2] === 'ok' ? { name: m[1], status: 'ok', calls: Number(m[3]) } : { name: m[1], status: 'trap', calls: 0, trap: m[3] });
  }

  const counts = new Map<string, number>();
  for (const pair of all(tag(xml, 'errorcounts'), 'pair')) counts.set(tag(pair, 'unique'), Number(tag(pair, 'count')));
  const findings: Finding[] = [];
  for (const err of all(xml, 'error')) {
    const stacks = all(err, 'stack');
    const frames = all(stacks[0] ?? '', 'frame').map((f) => ({ fn: unescape(tag(f, 'fn')), file: tag(f, 'file'), line: Number(tag(f, 'line')) }));
    const caseFrame = frames.find((f) => /^case_/.test(f.fn));
    const inner = frames.find((f) => f.file === 'sealink_core.c' && build.names.has(f.fn));
    const code = inner ? (build.cLines[inner.line - 1] ?? '').trim() : '';
    findings.push({
      case: caseFrame ? caseFrame.fn.replace(/^case_/, '').replace(/\..*$/, '') : '?',
      kind: tag(err, 'kind'),
      what: unescape(tag(err, 'what') || tag(tag(err, 'xwhat'), 'text')),
      count: counts.get(tag(err, 'unique')) ?? 1,
      frames: frames.filter((f) => !/^(main|case_|__libc)/.test(f.fn)).map((f) =>
        `${build.names.get(f.fn) ?? f.fn}${f.file ? ` (${f.file}:${f.line})` : ''}`),
      fn: inner ? build.names.get(inner.fn)! : '?',
      code,
      instr: instructionOf(code),
      origin: all(stacks[1] ?? '', 'frame').map((f) => unescape(tag(f, 'fn'))).slice(0, 3).join(' <- '),
    });
  }

  const problems: string[] = [];
  if (r.status !== 0 && r.status !== 1) problems.push(`harness exit ${r.status}: ${r.stdout.split('\n').filter((l) => l.startsWith('FAILED')).join('; ') || r.stderr.slice(-2000)}`);
  const suppCounts = new Map<string, number>();
  for (const pair of all(tag(xml, 'suppcounts'), 'pair')) suppCounts.set(tag(pair, 'name'), Number(tag(pair, 'count')));
  opts.rules.forEach((rule, i) => {
    const c = cases.find((x) => x.name === rule.case);
    if (!c || c.status !== 'ok') return; // reported by the caller as a case that did not run
    const prefix = `ctgrind-declassify-${i}-`;
    const fired = [...suppCounts].filter(([name]) => name.startsWith(prefix)).reduce((n, [, count]) => n + count, 0);
    const expected = rule.perCall * c.calls;
    if (fired !== expected) {
      problems.push(`case ${rule.case}: ${fired} secret-dependent jump(s) in ${rule.fns.join(' / ')} for ${c.calls} call(s);`
        + ` the declassified branch accounts for exactly ${expected}`
        + (fired > expected ? ': something else there depends on a secret' : ': is the rule\'s function list current?'));
    }
  });
  const caseCount = Number(/^cases (\d+)$/m.exec(r.stdout)?.[1] ?? -1);
  return { seed: opts.seed, caseCount, exitCode: r.status, stdout: r.stdout, cases, findings, problems, seconds };
}

/** The wasm instruction a line of wasm2c 1.0.32 output comes from. */
function instructionOf(code: string): string {
  let m: RegExpExecArray | null;
  if (/\?.*:/.test(code)) return 'select';
  if (/^if \(.*\) \{\s*goto /.test(code)) return 'br_if';
  if (/^if \(/.test(code)) return 'if';
  if (/^switch \(/.test(code)) return 'br_table';
  if ((m = /\b([if](?:32|64)_(?:load|store)\w*)\(/.exec(code))) return `${m[1].replace('_', '.')} (address)`;
  if ((m = /\bmemory_(fill|copy)\(/.exec(code))) return `memory.${m[1]} (address or length)`;
  return '?';
}

/** One line per finding, for test failures and the log. */
export function describe(f: Finding): string {
  return `[${f.case}] ${f.what} (${f.kind}, x${f.count})\n      in ${f.fn}: ${f.instr}${f.code ? `   [${f.code}]` : ''}`
    + `\n      at ${f.frames.slice(0, 6).join('\n      by ')}\n      secret from: ${f.origin}`;
}

/**
 * A value the protocol derives from secrets but makes public (a verdict the
 * device acts on visibly, its own public key, the frame headers of an
 * authentic record). Memcheck's findings whose innermost wasm function is one
 * of `fns` (the function that branches, and those binaryen or gcc may inline
 * it into) in one of `cases` (all when absent) are accepted. Unlike
 * Declassification (an exact count per call), protocol paths have no fixed
 * count per entry-point call, so these are matched by function only: keep
 * `fns` narrow. A rule that matches nothing fails the run (stale list).
 */
export interface PublicRule {
  name: string;
  fns: string[];
  cases?: string[];
  why: string;
}

export interface Triage {
  /** Rule name -> findings it accepted (sum of memcheck's counts). */
  accepted: Map<string, number>;
  /** Findings no rule accepts: secret-dependent behaviour. */
  rest: Finding[];
  /** Rules that accepted nothing. */
  unused: string[];
}

export function triage(findings: Finding[], rules: PublicRule[]): Triage {
  const accepted = new Map<string, number>(rules.map((r) => [r.name, 0]));
  const rest: Finding[] = [];
  for (const f of findings) {
    const rule = rules.find((r) => r.fns.includes(f.fn) && (!r.cases || r.cases.includes(f.case)));
    if (rule) accepted.set(rule.name, accepted.get(rule.name)! + f.count);
    else rest.push(f);
  }
  return { accepted, rest, unused: [...accepted].filter(([, n]) => n === 0).map(([name]) => name) };
}
