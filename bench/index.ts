// `npm run bench` [-- SECTION...] [-- --quick] [-- --json]. Sections, all by
// default, in this order:
//   primitives  ops/s of each primitive in the WASM core (through the binding
//               and through its raw exports), @noble/* and node:crypto, then the
//               core's module sizes;
//   channel     the channel layer (bench/channel.ts: relay handshakes/s and
//               records/s in process and over loopback UDP/TCP, bytes on the
//               wire per handshake and per reading next to EDHOC and DTLS 1.3);
//   ingest      sealed readings into the relay app with durability on
//               (bench/ingest.ts: readings/s, ACK latency, memory per device),
//               then the same payloads through Mosquitto QoS 1 with persistence
//               (bench/mosquitto.ts; installs the Debian package when missing),
//               printed side by side as ratios.
// e.g. `npm run bench -- ingest --quick`. Every primitive's result is checked
// against node:crypto (OpenSSL) before it is timed; a wrong result is shown as
// WRONG, never as a speed. Core primitives that are still stubs (they trap
// with `unreachable`) show "n/a (not built)".
//
// The numbers are for reading, not asserting: nothing here fails on a timing.

import { cpus, loadavg, platform, arch } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore, type Core } from '../hal/node/core.ts';
import { BUDGETS } from '../scripts/checks.ts';
import { CASES, KINDS, KIND_LABEL, RawStatusError, type Kind } from './cases.ts';
import { measure, type Measurement, type MeasureOptions } from './measure.ts';
import { channelBench, type ChannelReport } from './channel.ts';
import { ingestBench, type IngestReport } from './ingest.ts';
import { mosquittoBench, printComparison, type MosquittoReport } from './mosquitto.ts';

const SECTIONS = ['primitives', 'channel', 'ingest'] as const;
type Section = (typeof SECTIONS)[number];
const args = new Set(process.argv.slice(2));
const chosen = new Set<Section>();
for (const a of args) {
  if (a === '--json' || a === '--quick') continue;
  if ((SECTIONS as readonly string[]).includes(a)) { chosen.add(a as Section); continue; }
  console.error(`bench: unknown argument ${a} (known: ${SECTIONS.join(', ')}, --quick, --json)`);
  process.exit(2);
}
const RUN = (s: Section): boolean => chosen.size === 0 || chosen.has(s);
const QUICK = args.has('--quick');
const JSON_OUT = args.has('--json');
const root = fileURLToPath(new URL('..', import.meta.url));

const OPTIONS: MeasureOptions = QUICK
  ? { warmupMs: 30, batchMs: 10, cellMs: 100, minBatches: 5 }
  : { warmupMs: 60, batchMs: 25, cellMs: 250, minBatches: 7 };

type Status = 'ok' | 'not-built' | 'wrong' | 'error' | 'n/a';
interface CellReport {
  status: Status;
  detail?: string;
  opsPerSec?: number;
  usPerOp?: number;
  minOpsPerSec?: number;
  maxOpsPerSec?: number;
  batches?: number;
  opsPerBatch?: number;
}
interface RowReport {
  id: string;
  label: string;
  cells: Record<Kind, CellReport>;
  /** binding ops/s divided by the other's ops/s (> 1: the core is faster). */
  coreOverNoble: number | null;
  coreOverNode: number | null;
}

// ---- machine ----

const cpu = cpus();
const machine = {
  cpu: cpu[0]?.model.trim() ?? 'unknown',
  logicalCpus: cpu.length,
  platform: `${platform()} ${arch()}`,
  node: process.version,
  v8: process.versions.v8,
  openssl: process.versions.openssl,
  loadavg1m: Number(loadavg()[0].toFixed(2)),
};

// ---- core ----

let core: Core | null = null;
let coreProblem = '';
try {
  core = await loadCore();
} catch (e) {
  coreProblem = e instanceof Error ? e.message : String(e);
}

function isStubTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError && /unreachable/i.test(e.message);
}
function describeError(e: unknown): string {
  if (e instanceof WebAssembly.RuntimeError) return `trap: ${e.message}`;
  if (e instanceof RawStatusError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
const hex = (b: Uint8Array): string => Buffer.from(b.subarray(0, 16)).toString('hex') + (b.length > 16 ? '…' : '');

interface Sizes { module: number; code: number; data: number; heapBase: number; parts: Record<string, number>; exact: boolean }

/** The primitives table and the core module sizes (section `primitives`). */
function primitivesBench(): { rows: RowReport[]; elapsed: number; sizes: Sizes | null } {
  // ---- run ----

  const progress = (msg: string) => { if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`); };
  const rows: RowReport[] = [];
  const t0 = Date.now();

  for (const c of CASES) {
    const cells = {} as Record<Kind, CellReport>;
    const outputs = new Map<Kind, Uint8Array>();

    // 1. Every implementation once, untimed.
    for (const kind of KINDS) {
      const make = c.impls[kind];
      if (!make) { cells[kind] = { status: 'n/a' }; continue; }
      const isCore = kind === 'binding' || kind === 'raw';
      if (isCore && !core) { cells[kind] = { status: 'not-built', detail: coreProblem }; continue; }
      try {
        outputs.set(kind, make(core as Core).result());
        cells[kind] = { status: 'ok' };
      } catch (e) {
        cells[kind] = isStubTrap(e) ? { status: 'not-built' } : { status: 'error', detail: describeError(e) };
      }
    }

    // 2. Same result as the reference (node:crypto, or @noble when node failed)?
    const refKind: Kind | undefined = (['node', 'noble'] as const).find((k) => outputs.has(k));
    const ref = refKind ? outputs.get(refKind)! : undefined;
    for (const [kind, out] of outputs) {
      if (!ref) { cells[kind] = { status: 'error', detail: 'no reference result to compare with' }; continue; }
      if (!equal(out, ref)) {
        cells[kind] = { status: 'wrong', detail: `result ${hex(out)} differs from ${refKind}'s ${hex(ref)}` };
      }
    }

    // 3. Time the ones that are right, each with a fresh setup; re-check afterwards.
    for (const kind of KINDS) {
      if (cells[kind].status !== 'ok') continue;
      progress(`bench: ${c.label} / ${KIND_LABEL[kind]}`);
      const cell = c.impls[kind]!(core as Core);
      let m: Measurement;
      try {
        m = measure(cell.run, OPTIONS);
        const after = cell.result();
        if (!equal(after, ref!)) {
          cells[kind] = { status: 'wrong', detail: `result after timing ${hex(after)} differs from ${refKind}'s ${hex(ref!)}` };
          continue;
        }
      } catch (e) {
        cells[kind] = { status: 'error', detail: `while timing: ${describeError(e)}` };
        continue;
      }
      cells[kind] = {
        status: 'ok',
        opsPerSec: Math.round(m.opsPerSec),
        usPerOp: Number((1e6 / m.opsPerSec).toPrecision(4)),
        minOpsPerSec: Math.round(m.minOpsPerSec),
        maxOpsPerSec: Math.round(m.maxOpsPerSec),
        batches: m.batches,
        opsPerBatch: m.opsPerBatch,
      };
    }

    const ratio = (other: Kind): number | null => {
      const a = cells.binding.opsPerSec, b = cells[other].opsPerSec;
      return a !== undefined && b !== undefined && b > 0 ? Number((a / b).toPrecision(4)) : null;
    };
    rows.push({ id: c.id, label: c.label, cells, coreOverNoble: ratio('noble'), coreOverNode: ratio('node') });
  }
  progress('');
  const elapsed = (Date.now() - t0) / 1000;

  // ---- table ----

  function fmtOps(v: number): string {
    if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
    if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
    return v.toPrecision(3).replace(/\.0+$/, '');
  }
  function fmtCell(r: CellReport): string {
    switch (r.status) {
      case 'ok': return fmtOps(r.opsPerSec!);
      case 'not-built': return 'n/a (not built)';
      case 'wrong': return 'WRONG RESULT';
      case 'error': return 'error';
      case 'n/a': return '-';
    }
  }
  function fmtRatio(r: number | null): string {
    if (r === null) return '-';
    return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}x`;
  }

  const headers = ['primitive', ...KINDS.map((k) => KIND_LABEL[k]), 'core/noble', 'core/node'];
  const body = rows.map((r) => [r.label, ...KINDS.map((k) => fmtCell(r.cells[k])), fmtRatio(r.coreOverNoble), fmtRatio(r.coreOverNode)]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols: string[]) => cols.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');

  console.log('');
  console.log(`sealink bench${QUICK ? ' (--quick)' : ''}: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.platform}`);
  console.log(`node ${machine.node} (V8 ${machine.v8}, OpenSSL ${machine.openssl}), load ${machine.loadavg1m}`);
  console.log(`ops/s, higher is better: median of >= ${OPTIONS.minBatches} batches of ~${OPTIONS.batchMs} ms over ~${OPTIONS.cellMs} ms per cell, after warm-up.`);
  console.log('Results checked against node:crypto before timing. Ratios use the binding; > 1 means the core is faster.');
  if (machine.loadavg1m > machine.logicalCpus * 0.75) {
    console.log(`note: the machine is busy (load ${machine.loadavg1m} on ${machine.logicalCpus} CPUs); expect noisy numbers, compare ratios, re-run idle.`);
  }
  console.log('');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));

  const notes: string[] = [];
  if (!core) notes.push(`core not loaded: ${coreProblem}`);
  for (const r of rows) {
    for (const k of KINDS) {
      const c = r.cells[k];
      if ((c.status === 'wrong' || c.status === 'error') && c.detail) notes.push(`${r.label} / ${KIND_LABEL[k]}: ${c.status}: ${c.detail}`);
    }
  }
  console.log('');
  console.log('AEAD calls carry 16 B of AAD. node:crypto uses KeyObjects made outside the loop (HKDF takes the IKM as bytes);');
  console.log('its "X25519 base" is diffieHellman with u = 9. The raw column calls the exports on inputs already in the exchange buffer.');
  for (const n of notes) console.log(`! ${n}`);
  console.log(`(${elapsed.toFixed(1)} s)`);

  // ---- sizes ----

  const sizesFile = `${root}build/sizes.json`;
  let sizes: Sizes | null = null;
  if (existsSync(sizesFile)) {
    try { sizes = JSON.parse(readFileSync(sizesFile, 'utf8')) as Sizes; } catch { sizes = null; }
  }
  console.log('');
  if (!sizes) {
    console.log('core module sizes: n/a (build/sizes.json missing; run `npm run build`)');
  } else {
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const row = (label: string, n: number, extra = '') => console.log(`  ${label.padEnd(30)}${String(n).padStart(7)} B  ${kib(n).padStart(9)}${extra}`);
    console.log('core module sizes (build/sizes.json)');
    row('release module', sizes.module, `  (budget ${BUDGETS.moduleBytes} B, ${((100 * sizes.module) / BUDGETS.moduleBytes).toFixed(0)}% used)`);
    row('code section', sizes.code);
    row('data segments', sizes.data);
    row('linear memory (__heap_base)', sizes.heapBase, `  (budget ${BUDGETS.linearMemoryBytes} B, ${((100 * sizes.heapBase) / BUDGETS.linearMemoryBytes).toFixed(0)}% used)`);
    console.log(`  per part (function bodies${sizes.exact ? '' : ', approximate'}):`);
    for (const [part, n] of Object.entries(sizes.parts).sort((a, b) => b[1] - a[1])) {
      console.log(`    ${part.padEnd(28)}${String(n).padStart(7)} B`);
    }
  }
  return { rows, elapsed, sizes };
}

// ---- sections ----

let primitives: ReturnType<typeof primitivesBench> | null = null;
let channel: ChannelReport | null = null;
let ingest: IngestReport | null = null;
let mosquitto: MosquittoReport | { skipped: string } | null = null;
const started = Date.now();
if (RUN('primitives')) primitives = primitivesBench();
else {
  console.log(`sealink bench${QUICK ? ' (--quick)' : ''} [${[...chosen].join(', ')}]: ${machine.cpu}, ${machine.logicalCpus} logical CPUs, ${machine.platform}, `
    + `node ${machine.node}, load ${machine.loadavg1m}`);
}
// Relay and device over loopback sockets; bytes on the wire vs EDHOC / DTLS 1.3.
if (RUN('channel')) channel = await channelBench({ quick: QUICK });
if (RUN('ingest')) {
  // One set of sealed streams for both servers: the same bytes go to the relay and to Mosquitto.
  const { report, streams } = await ingestBench({ quick: QUICK });
  ingest = report;
  try {
    const m = await mosquittoBench(ingest, streams);
    printComparison(ingest, m);
    mosquitto = m;
  } catch (e) {
    // No Mosquitto (not root and not installed, no apt-get): the sealink rows stand alone.
    const why = e instanceof Error ? e.message : String(e);
    console.log(`\nMosquitto comparison skipped: ${why}`);
    mosquitto = { skipped: why };
  }
}
console.log(`\n(bench ${((Date.now() - started) / 1000).toFixed(1)} s)`);

// ---- json ----

if (JSON_OUT) {
  mkdirSync(`${root}build`, { recursive: true });
  const file = `${root}build/bench.json`;
  writeFileSync(file, `${JSON.stringify({
    date: new Date().toISOString(),
    quick: QUICK,
    sections: SECTIONS.filter(RUN),
    options: OPTIONS,
    machine,
    seconds: primitives === null ? null : Number(primitives.elapsed.toFixed(1)),
    columns: KIND_LABEL,
    rows: primitives?.rows ?? null,
    sizes: primitives?.sizes ?? null,
    channel,
    ingest,
    mosquitto,
  }, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}
