// The same sealed payloads through Mosquitto (Debian package `mosquitto`), MQTT
// QoS 1 with persistence on, next to the sealink relay (issue 4 item 8). Run by
// `npm run bench` (section `ingest`, after bench/ingest.ts) or alone:
// `tsx bench/mosquitto.ts [--quick]` (it then runs the sealink side first).
//
// Same load as the sealink devices: as many publishers (npm `mqtt`, MQTT 3.1.1,
// one TCP connection each, TCP_NODELAY like the device links) as streaming
// devices, the same window of messages awaiting their PUBACK each, the very
// same pre-sealed records as payloads (one message per record), a closed-loop
// run and a run paced at the same readings/s as the sealink paced runs.
//
// What Mosquitto's durability is (so the ratio is read right): a QoS 1 PUBACK
// means the broker has the message in memory, nothing more. Mosquitto has no
// write-ahead log; with persistence on it writes a snapshot of its whole
// in-memory database (mosquitto.db, written to a new file then renamed) every
// `autosave_interval` seconds and at exit; it never fsyncs per message. Here the
// snapshot runs every second (the shortest interval it offers; the default is
// 30 min), so a crash loses up to about a second of PUBACKed messages, where
// the sealink relay ACKs only after an fsynced commit and loses none. So that
// the broker keeps every message at all (a QoS 1 message nobody subscribed to
// is PUBACKed and dropped), a persistent session (clean session off, QoS 1
// subscription to every device topic) is registered and then disconnected:
// every message is queued for it, without limit, as the relay stores every
// reading. The ratios are therefore durable-at-ACK sealink against
// in-memory-at-ACK Mosquitto.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { ensureDebianPackages } from '../test/support/ensure-debian-tools.ts';
import { trackChild, trackDir } from './cleanup.ts';
import { ingestBench, type IngestReport } from './ingest.ts';
import { drive, fmt, ms, pct, ratio, table, type LoadResult } from './load.ts';
import { splitAfterReadings, type DeviceStream } from './streams.ts';

export const AUTOSAVE_INTERVAL_S = 1;

export interface MosquittoReport {
  version: string;
  closed: LoadResult;
  paced: LoadResult;
  pacedRate: number;
  /** MQTT bytes on the wire per reading (TCP payload both ways: PUBLISH + PUBACK, epoch records' share). */
  wireBytesPerReading: number;
  /** Size of mosquitto.db written at shutdown (every message still queued for the persistent session). */
  dbBytesAtExit: number;
  seconds: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    // Stay the bench's user (as root Mosquitto would switch to user "mosquitto", who cannot write the temp dir).
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${dir}/`,
    'persistence_file mosquitto.db',
    `autosave_interval ${AUTOSAVE_INTERVAL_S}`,
    'autosave_on_changes false',
    // Keep every message queued for the offline persistent session (default: 1000, then dropped).
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'set_tcp_nodelay true',
    `log_dest file ${dir}/mosquitto.log`,
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

async function connect(port: number, clientId: string, clean: boolean): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId, clean, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, keepalive: 60,
  });
  (c.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  return c;
}

async function waitReady(port: number, child: ChildProcess, logFile: string, stderr: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      let log = '';
      try { log = readFileSync(logFile, 'utf8'); } catch { /* none */ }
      throw new Error(`mosquitto exited with ${child.exitCode}: ${`${stderr()}\n${log}`.trim().slice(-800)}`);
    }
    try {
      const c = await connect(port, 'bench-probe', true);
      await c.endAsync();
      return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`mosquitto did not come up on 127.0.0.1:${port}: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function mosquittoVersion(): string {
  // `mosquitto -h` prints "mosquitto version X" and exits non-zero.
  const out = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' });
  return /version\s+(\S+)/.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1] ?? 'unknown';
}

/** Run Mosquitto on the ingest bench's streams; prints nothing (printComparison does). */
export async function mosquittoBench(ingest: IngestReport, streams: DeviceStream[],
  progress: (s: string) => void = () => {}): Promise<MosquittoReport> {
  const start = performance.now();
  ensureDebianPackages(['mosquitto']); // prints "[ensure-debian-tools] installing mosquitto" when it has to
  const dir = mkdtempSync(join(tmpdir(), 'sealink-bench-mosquitto-'));
  const removeDir = trackDir(dir);
  let child: ChildProcess | null = null;
  let untrack = (): void => {};
  const publishers: MqttClient[] = [];
  try {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, config(dir, port));
    // stderr kept for an error message only (as root it warns that it runs as root).
    child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    untrack = trackChild(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { if (stderr.length < 4096) stderr += b.toString(); });
    await waitReady(port, child, join(dir, 'mosquitto.log'), () => stderr);

    // The persistent session every message is queued for (see the file comment).
    const store = await connect(port, 'bench-store', false);
    await store.subscribeAsync('r/#', { qos: 1 });
    await store.endAsync();

    const { shape } = ingest;
    progress(`mosquitto: connecting ${shape.active} publishers`);
    for (let i = 0; i < shape.active; i++) publishers.push(await connect(port, `bench-pub-${i}`, true));
    const senders = publishers.map((c, i) => {
      const topic = `r/${i}`;
      return { send: async (rec: Uint8Array) => { await c.publishAsync(topic, Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength), { qos: 1 }); } };
    });
    const parts = streams.map((s) => splitAfterReadings(s.records, shape.readings));
    const bytes = (): number => publishers.reduce((n, c) => {
      const s = c.stream as unknown as { bytesWritten: number; bytesRead: number };
      return n + s.bytesWritten + s.bytesRead;
    }, 0);
    progress('mosquitto: closed loop');
    const b0 = bytes();
    const closed = await drive(senders, parts.map((p) => p[0]), shape.window, { serverPid: child.pid });
    const wire = bytes() - b0;
    progress(`mosquitto: paced at ${fmt(ingest.pacedRate)} readings/s`);
    const paced = await drive(senders, parts.map((p) => p[1]), shape.window, { serverPid: child.pid, rate: ingest.pacedRate });
    for (const c of publishers.splice(0)) await c.endAsync();

    // SIGTERM: Mosquitto writes its database once more and exits.
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    let dbBytesAtExit = 0;
    try { dbBytesAtExit = statSync(join(dir, 'mosquitto.db')).size; } catch { /* not written */ }
    progress('');
    return {
      version: mosquittoVersion(), closed, paced, pacedRate: ingest.pacedRate,
      wireBytesPerReading: wire / closed.readings, dbBytesAtExit, seconds: (performance.now() - start) / 1000,
    };
  } finally {
    for (const c of publishers) c.end(true);
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    }
    untrack();
    removeDir();
  }
}

/** The sealink/Mosquitto table: same publishers, window and payload bytes. */
export function printComparison(s: IngestReport, m: MosquittoReport): void {
  const { udp, tcp } = s;
  const rate = fmt(s.pacedRate);
  console.log('');
  console.log(`sealink relay vs Mosquitto ${m.version} (MQTT 3.1.1 QoS 1, persistence on, autosave every ${AUTOSAVE_INTERVAL_S} s): `
    + `${s.shape.active} publishers, ${s.shape.window} in flight each, the same sealed records as payloads (READING ${s.recordBytes.reading} B)`);
  for (const l of table([
    ['durable ingest', 'sealink UDP', 'sealink TCP', 'Mosquitto', 'UDP/Mosq.', 'TCP/Mosq.'],
    ['readings/s acknowledged, closed loop', fmt(udp.readingsPerSec), fmt(tcp.readingsPerSec), fmt(m.closed.readingsPerSec),
      ratio(udp.readingsPerSec, m.closed.readingsPerSec), ratio(tcp.readingsPerSec, m.closed.readingsPerSec)],
    ['ack latency p50, closed loop (ms)', ms(udp.p50Ms), ms(tcp.p50Ms), ms(m.closed.p50Ms), ratio(udp.p50Ms, m.closed.p50Ms), ratio(tcp.p50Ms, m.closed.p50Ms)],
    ['ack latency p99, closed loop (ms)', ms(udp.p99Ms), ms(tcp.p99Ms), ms(m.closed.p99Ms), ratio(udp.p99Ms, m.closed.p99Ms), ratio(tcp.p99Ms, m.closed.p99Ms)],
    [`ack latency p50 at ${rate} readings/s (ms)`, ms(udp.paced.p50Ms), ms(tcp.paced.p50Ms), ms(m.paced.p50Ms),
      ratio(udp.paced.p50Ms, m.paced.p50Ms), ratio(tcp.paced.p50Ms, m.paced.p50Ms)],
    [`ack latency p99 at ${rate} readings/s (ms)`, ms(udp.paced.p99Ms), ms(tcp.paced.p99Ms), ms(m.paced.p99Ms),
      ratio(udp.paced.p99Ms, m.paced.p99Ms), ratio(tcp.paced.p99Ms, m.paced.p99Ms)],
    ['server CPU, closed loop (% of one core)', pct(udp.serverCpuPct), pct(tcp.serverCpuPct), pct(m.closed.serverCpuPct), '', ''],
    ['client process CPU, closed loop (% of one core)', pct(udp.clientCpuPct), pct(tcp.clientCpuPct), pct(m.closed.clientCpuPct), '', ''],
    ['bytes on the wire per reading, both ways', udp.wireBytesPerReading.toFixed(1), tcp.wireBytesPerReading.toFixed(1), m.wireBytesPerReading.toFixed(1),
      ratio(udp.wireBytesPerReading, m.wireBytesPerReading), ratio(tcp.wireBytesPerReading, m.wireBytesPerReading)],
    ['what an ACK means', 'fsynced', 'fsynced', 'in memory', '', ''],
  ], 1)) console.log(l);
  console.log('ratio = sealink / Mosquitto: > 1 is more readings/s (row 1) but slower ACKs (latency rows) or more bytes.');
  console.log(`Mosquitto PUBACKs from memory and snapshots its whole database every ${AUTOSAVE_INTERVAL_S} s (no fsync per message): a crash loses up to ~${AUTOSAVE_INTERVAL_S} s of PUBACKed messages;`);
  console.log('sealink ACKs after the fsynced commit and loses none. Mosquitto bytes: MQTT over TCP (no encryption; TLS 1.3 would add 22 B a record);');
  console.log(`sealink: encrypted records + ACK records (UDP payloads; TCP adds 2 B a message). mosquitto.db at exit: ${(m.dbBytesAtExit / 1024).toFixed(0)} KiB (every message queued).`);
  console.log(`(mosquitto bench ${m.seconds.toFixed(1)} s)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { report, streams } = await ingestBench({ quick: process.argv.includes('--quick') });
  printComparison(report, await mosquittoBench(report, streams));
}
