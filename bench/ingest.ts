// Sealed readings into a real relay, with durability on (issue 4 item 8), run
// by `npm run bench` (section `ingest`) or alone: `tsx bench/ingest.ts [--quick]`.
//
// The relay is cloud/app/relay.ts startRelayApp in a process of its own
// (bench/relay-process.ts): SQLite store in a temp dir, WAL, synchronous=FULL
// and the shipped group-commit delay, so an ACK means the record's commit was
// fsynced. The devices are the TS reference device (cloud/device DeviceClient)
// in this process, each on its own loopback address (bench/links.ts), sending
// records pre-sealed by the TS reference sealer (bench/streams.ts). Per
// transport (UDP, then TCP, each on a fresh relay):
//   1. enroll `devices` devices (setup);
//   2. restart the relay on the same data, connect one device, measure the
//      relay's memory; connect all the others with their credentials (one
//      session each, idle), measure again: the difference per device is what
//      a connected device costs;
//   3. `active` of them stream their sealed records, `window` in flight each:
//      readings/s acknowledged, p50/p99 from send to ACK at the device, CPU of
//      both processes, bytes on the wire per reading (ACKs and epoch records included).
// Numbers are for reading, not asserting.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { DeviceClient, type DeviceCredentials } from '../cloud/device/index.ts';
import { identityFromSeed, type Identity } from '../cloud/keys/did.ts';
import { trackChild, trackDir } from './cleanup.ts';
import { deviceAddress, openBoundLink, type WireCount } from './links.ts';
import { drive, fmt, ms, pct, table, type LoadResult } from './load.ts';
import { READING_PAYLOAD_BYTES, isReading, sealStreams, splitAfterReadings, type DeviceStream } from './streams.ts';

export interface IngestShape {
  /** Devices enrolled and connected (idle) for the memory figure. */
  devices: number;
  /** Of those, how many stream readings. */
  active: number;
  /** Sealed readings per active device. */
  readings: number;
  /** Records in flight (sent, not yet ACKed) per active device. */
  window: number;
  /** Further sealed readings per active device for the paced run. */
  pacedReadings: number;
  /** The paced run's rate, as a fraction of the closed-loop UDP throughput. */
  pacedFraction: number;
}

export const SHAPE: Record<'full' | 'quick', IngestShape> = {
  full: { devices: 1000, active: 100, readings: 150, window: 8, pacedReadings: 30, pacedFraction: 0.5 },
  quick: { devices: 200, active: 50, readings: 60, window: 8, pacedReadings: 20, pacedFraction: 0.5 },
};

export interface MemoryPerDevice {
  devices: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Buffers outside the JS heap (external + arrayBuffers). */
  externalBytes: number;
}

export interface IngestRun extends LoadResult {
  transport: 'udp' | 'tcp';
  /** Bytes on the wire per READING, both directions, ACKs and epoch records included. */
  wireBytesPerReading: number;
  retransmits: number;
  /** Writes per durable commit during the run (group-commit batch size). */
  writesPerCommit: number;
  /** Mean time from the relay's store append to its durable commit during the run, ms. */
  appendToCommitMs: number;
  memory: MemoryPerDevice;
  /** The same devices at a fixed rate below saturation (IngestReport.pacedRate). */
  paced: LoadResult;
}

export interface IngestReport {
  shape: IngestShape;
  payloadBytes: number;
  /** Mean size of the records sent (READING and epoch records). */
  recordBytes: { reading: number; mean: number };
  relay: { commitDelayMs: number; synchronous: string };
  /** Readings/s of the paced runs (shape.pacedFraction of the UDP closed-loop rate). */
  pacedRate: number;
  udp: IngestRun;
  tcp: IngestRun;
  seconds: number;
}

// ---- the relay process ----

interface RelayProcess {
  child: ChildProcess;
  call<T>(op: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

async function spawnRelay(): Promise<RelayProcess> {
  const child = fork(fileURLToPath(new URL('./relay-process.ts', import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const untrack = trackChild(child);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited = false;
  child.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (w === undefined) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.value); else w.reject(new Error(m.error));
  });
  const gone = new Promise<void>((r) => child.once('exit', () => {
    exited = true;
    for (const w of waiting.values()) w.reject(new Error('relay process exited'));
    waiting.clear();
    untrack();
    r();
  }));
  await new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
    child.once('error', reject);
  });
  return {
    child,
    call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
      if (exited) return Promise.reject(new Error('relay process exited'));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, ...args });
      });
    },
    async stop() {
      if (exited) return;
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try { child.send({ id: nextId++, op: 'close' }); } catch { child.kill('SIGKILL'); }
      await gone;
      clearTimeout(t);
    },
  };
}

// ---- devices ----

interface Device { client: DeviceClient; count: WireCount }

/** Devices enrolling / connecting at once (setup, not measured). */
const BATCH = 50;

const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => make(i + k))));
  return out;
}

async function openDevice(kind: 'udp' | 'tcp', i: number, identity: Identity, port: number, credentials?: DeviceCredentials): Promise<Device> {
  const count: WireCount = { up: 0, down: 0 };
  const link = await openBoundLink(kind, deviceAddress(i), '127.0.0.1', port, count);
  return { client: new DeviceClient({ identity, link, credentials }), count };
}

const within = <T>(p: Promise<T>, msLimit: number, what: string): Promise<T> => {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p.finally(() => clearTimeout(t)), new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(`ingest bench: timed out: ${what}`)), msLimit); })]);
};

async function closeAll(devices: Device[]): Promise<void> {
  await inBatches(devices.length, 200, (i) => devices[i].client.close());
}

type Mem = NodeJS.MemoryUsage;

async function runTransport(kind: 'udp' | 'tcp', shape: IngestShape, seeds: Uint8Array[], sealed: Promise<DeviceStream[]>, owner: Identity,
  progress: (s: string) => void, pacedRate: ((closed: LoadResult) => number)):
  Promise<{ run: IngestRun; relay: { commitDelayMs: number; synchronous: string }; pacedRate: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealink-bench-ingest-'));
  const removeDir = trackDir(dir);
  let relay: RelayProcess | null = null;
  let devices: Device[] = [];
  type Started = { did: string; udpPort: number; tcpPort: number; commitDelayMs: number; synchronous: string };
  try {
    relay = await spawnRelay();
    const first = await relay.call<Started>('start', { dataDir: dir, owner: owner.did });
    const identities = Array.from({ length: shape.devices }, (_, i) => identityFromSeed(i < seeds.length ? seeds[i] : new Uint8Array(randomBytes(32))));

    // 1. Enroll everyone (setup, untimed), letting go of each enrollment link.
    progress(`ingest ${kind}: enrolling ${shape.devices} devices`);
    const claims = await relay.call<{ claimId: string; claimToken: string }[]>('claims', { n: shape.devices });
    const enrollPort = kind === 'udp' ? first.udpPort : first.tcpPort;
    const creds = await inBatches(shape.devices, BATCH, async (i) => {
      const d = await openDevice(kind, i, identities[i], enrollPort);
      try {
        return await within(d.client.enroll({ relayDid: first.did, claimId: unhex(claims[i].claimId), claimToken: unhex(claims[i].claimToken) }), 30_000, `enroll ${i}`);
      } finally {
        await d.client.close();
      }
    });

    // 2. Restart the relay on the same data (as after a deploy): its RSS then holds no
    // garbage from the enrollments, which would hide what sessions add. One device
    // connects first so code paths are compiled and caches warm; then the rest.
    progress(`ingest ${kind}: restarting the relay`);
    await relay.stop();
    relay = await spawnRelay();
    const r = relay;
    const info = await r.call<Started>('start', { dataDir: dir, owner: owner.did });
    const port = kind === 'udp' ? info.udpPort : info.tcpPort;
    const connectDevice = async (i: number): Promise<Device> => {
      const d = await openDevice(kind, i, identities[i], port, creds[i]);
      await within(d.client.connect(), 30_000, `connect ${i}`);
      return d;
    };
    const last = await connectDevice(shape.devices - 1);
    await new Promise((res) => setTimeout(res, 200));
    const before = await r.call<Mem>('memory');
    progress(`ingest ${kind}: connecting ${shape.devices} devices`);
    devices = [...await inBatches(shape.devices - 1, BATCH, connectDevice), last];
    await new Promise((res) => setTimeout(res, 300)); // the key-confirming keepalives land
    const after = await r.call<Mem>('memory');
    const n = shape.devices - 1;
    const memory: MemoryPerDevice = {
      devices: n,
      rssBytes: (after.rss - before.rss) / n,
      heapUsedBytes: (after.heapUsed - before.heapUsed) / n,
      externalBytes: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n,
    };

    // 3. The active ones stream.
    progress(`ingest ${kind}: ${shape.active} devices streaming`);
    const active = devices.slice(0, shape.active);
    for (const d of active) { d.count.up = 0; d.count.down = 0; }
    const streams = await sealed;
    const parts = streams.map((s) => splitAfterReadings(s.records, shape.readings));
    const senders = active.map((d) => ({ send: (rec: Uint8Array) => d.client.send(rec) }));
    type Stats = { store: { commits: number; writes: number }; appendSeconds: { sum: number; count: number } };
    const s0 = await r.call<Stats>('stats');
    const load = await drive(senders, parts.map((p) => p[0]), shape.window, { serverPid: r.child.pid });
    const s1 = await r.call<Stats>('stats');
    const wire = active.reduce((sum, d) => sum + d.count.up + d.count.down, 0);
    const rate = pacedRate(load);
    progress(`ingest ${kind}: paced at ${fmt(rate)} readings/s`);
    const paced = await drive(senders, parts.map((p) => p[1]), shape.window, { serverPid: r.child.pid, rate });
    return {
      relay: { commitDelayMs: info.commitDelayMs, synchronous: info.synchronous },
      pacedRate: rate,
      run: {
        ...load, transport: kind, memory, paced,
        wireBytesPerReading: wire / load.readings,
        retransmits: active.reduce((x, d) => x + d.client.stats.retransmits, 0),
        writesPerCommit: (s1.store.writes - s0.store.writes) / Math.max(1, s1.store.commits - s0.store.commits),
        appendToCommitMs: (1000 * (s1.appendSeconds.sum - s0.appendSeconds.sum)) / Math.max(1, s1.appendSeconds.count - s0.appendSeconds.count),
      },
    };
  } finally {
    progress(`ingest ${kind}: closing`);
    await closeAll(devices);
    await relay?.stop();
    removeDir();
  }
}

export function newOwner(): Identity {
  return identityFromSeed(new Uint8Array(randomBytes(32)));
}

/**
 * Run the sealink ingest bench and print its table. Returns the numbers and the
 * sealed streams (the Mosquitto bench sends the very same bytes).
 */
export async function ingestBench({ quick = false }: { quick?: boolean } = {}): Promise<{ report: IngestReport; streams: DeviceStream[] }> {
  const start = performance.now();
  const shape = SHAPE[quick ? 'quick' : 'full'];
  let phaseAt = performance.now();
  const progress = (s: string): void => {
    if (process.env.SEALINK_BENCH_TRACE) { const now = performance.now(); console.error(`[${((now - phaseAt) / 1000).toFixed(1)} s] ${s}`); phaseAt = now; }
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${s}`);
  };
  const owner = newOwner();
  const seeds = Array.from({ length: shape.active }, () => new Uint8Array(randomBytes(32)));
  // Sealing overlaps the first relay's enrollments (they mostly wait on its commits).
  const sealing = sealStreams(seeds, shape.readings + shape.pacedReadings, owner.did);
  sealing.catch(() => {}); // awaited below; a failure surfaces there
  const udp = await runTransport('udp', shape, seeds, sealing, owner, progress,
    (closed) => Math.max(100, Math.round((shape.pacedFraction * closed.readingsPerSec) / 100) * 100));
  const tcp = await runTransport('tcp', shape, seeds, sealing, owner, progress, () => udp.pacedRate);
  progress('');
  const streams = await sealing;
  const all = streams.flatMap((x) => x.records);
  const readingRecords = all.filter(isReading);
  const report: IngestReport = {
    shape, payloadBytes: READING_PAYLOAD_BYTES,
    recordBytes: { reading: readingRecords[0].length, mean: all.reduce((n, r) => n + r.length, 0) / all.length },
    relay: udp.relay, pacedRate: udp.pacedRate, udp: udp.run, tcp: tcp.run,
    seconds: (performance.now() - start) / 1000,
  };
  printIngest(report);
  return { report, streams };
}

const kib = (b: number): string => (b / 1024).toFixed(1);

export function printIngest(r: IngestReport): void {
  const { shape: s, udp, tcp } = r;
  console.log('');
  console.log(`ingest: sealed readings into the relay app (cloud/app/relay.ts, own process), SQLite synchronous=${r.relay.synchronous.toUpperCase()}, `
    + `group commit ${r.relay.commitDelayMs} ms: ACK only after the fsynced commit; load ${loadavg()[0].toFixed(2)}`);
  console.log(`devices: TS reference device (cloud/device DeviceClient), ${s.active} streaming of ${s.devices} connected, ${s.window} records in flight each, `
    + `${s.readings} readings each; READING ${r.recordBytes.reading} B (${r.payloadBytes} B payload), epoch records every ~64 readings`);
  for (const l of table([
    ['sealink relay, durable ingest', 'UDP', 'TCP'],
    ['readings/s acknowledged (durable)', fmt(udp.readingsPerSec), fmt(tcp.readingsPerSec)],
    ['ack latency p50, send -> ACK at the device (ms)', ms(udp.p50Ms), ms(tcp.p50Ms)],
    ['ack latency p99 (ms)', ms(udp.p99Ms), ms(tcp.p99Ms)],
    [`paced at ${fmt(r.pacedRate)} readings/s: ack latency p50 (ms)`, ms(udp.paced.p50Ms), ms(tcp.paced.p50Ms)],
    [`paced at ${fmt(r.pacedRate)} readings/s: ack latency p99 (ms)`, ms(udp.paced.p99Ms), ms(tcp.paced.p99Ms)],
    ['relay CPU during the run (% of one core)', pct(udp.serverCpuPct), pct(tcp.serverCpuPct)],
    ['devices process CPU (% of one core)', pct(udp.clientCpuPct), pct(tcp.clientCpuPct)],
    ['store writes per durable commit', udp.writesPerCommit.toFixed(1), tcp.writesPerCommit.toFixed(1)],
    ['relay: store append -> durable commit, mean (ms)', ms(udp.appendToCommitMs), ms(tcp.appendToCommitMs)],
    ['bytes on the wire per sealed reading, both ways (ACKs, epoch records)', udp.wireBytesPerReading.toFixed(1), tcp.wireBytesPerReading.toFixed(1)],
    ['DATA retransmissions', String(udp.retransmits), String(tcp.retransmits)],
    [`relay memory per connected idle device, RSS (KiB; ${udp.memory.devices} devices)`, kib(udp.memory.rssBytes), kib(tcp.memory.rssBytes)],
    ['  of which JS heap (KiB)', kib(udp.memory.heapUsedBytes), kib(tcp.memory.heapUsedBytes)],
    ['  buffers outside the heap (KiB)', kib(udp.memory.externalBytes), kib(tcp.memory.externalBytes)],
  ])) console.log(l);
  console.log('Throughput between the 10th and 90th percentile of ACK times; latencies without the first 10 % of readings.');
  const load = loadavg()[0];
  if (load > 1.5 * cpus().length) console.log(`note: the machine is busy (load ${load.toFixed(1)} on ${cpus().length} CPUs): fsync and scheduling delays dominate; re-run idle.`);
  console.log('Memory: relay RSS/heap after GC with all devices connected minus with one connected, on a relay restarted after the enrollments.');
  console.log(`(ingest bench ${r.seconds.toFixed(1)} s)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await ingestBench({ quick: process.argv.includes('--quick') });
}
