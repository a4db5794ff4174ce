// The load generator both ingest benches share (bench/ingest.ts, sealink;
// bench/mosquitto.ts, MQTT QoS 1): every sender sends its own record stream in
// order with at most `window` records awaiting their acknowledgement (closed
// loop: a slot frees when its ACK / PUBACK arrives), or, when `rate` is given,
// on a fixed schedule at that many readings/s in total (open loop, still
// capped by the window). Latency is measured per READING record from the send
// call (paced and late because the window was full: from its scheduled time, so
// the wait counts against the server) to the acknowledgement as the sender sees it.
//
// Throughput is taken between the 10th and 90th percentile of acknowledgement
// times, so start-up (JIT, first handshakes) and the tail of the slowest
// sender do not count; latencies of the first 10 % of readings are dropped for
// the same reason. Server CPU comes from /proc/<pid>/stat.

import { readFileSync } from 'node:fs';
import { isReading } from './streams.ts';

export interface Sender {
  /** Resolves when the server has acknowledged `record`. */
  send(record: Uint8Array): Promise<void>;
}

export interface LoadResult {
  readings: number;
  records: number;
  /** Wall time from the first send to the last acknowledgement, s. */
  seconds: number;
  /** Acknowledged readings/s between the 10th and 90th percentile of ACK times. */
  readingsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of the server process during the run, in % of one core (null: not measured). */
  serverCpuPct: number | null;
  /** CPU time of this process (the senders) during the run, in % of one core. */
  clientCpuPct: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** utime + stime of `pid`, seconds (Linux); null elsewhere. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 on; the name may hold spaces
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Drive `senders[i]` with `streams[i]`; see the file comment. */
export async function drive(senders: Sender[], streams: Uint8Array[][], window: number,
  options: { rate?: number; serverPid?: number } = {}): Promise<LoadResult> {
  const readings = streams.reduce((n, s) => n + s.filter(isReading).length, 0);
  const records = streams.reduce((n, s) => n + s.length, 0);
  const ackAt = new Float64Array(readings);
  const lat = new Float64Array(readings);
  const order = new Float64Array(readings); // send time of each reading, to drop the first 10 %
  let done = 0;
  // Paced: `rate` counts readings; epoch records ride along at the same spacing. Sender i's
  // record j is due at t0 + (j + i / n) * interval, the senders interleaved.
  const interval = options.rate === undefined ? 0 : (1000 * senders.length * readings) / (options.rate * records);
  const cpu0 = options.serverPid === undefined ? null : cpuSeconds(options.serverPid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();

  await Promise.all(senders.map(async (sender, i) => {
    const stream = streams[i];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < stream.length) {
        const j = next++;
        const rec = stream[j];
        let start = performance.now();
        if (interval > 0) {
          // On time: wait (Node's timers may fire up to 1 ms early or late) and time from the
          // actual send. Late (the window was full): time from when it was due.
          const due = t0 + (j + i / senders.length) * interval;
          if (due > start) {
            await new Promise((r) => setTimeout(r, due - start));
            start = performance.now();
          } else start = due;
        }
        await sender.send(rec);
        if (isReading(rec)) {
          const now = performance.now();
          ackAt[done] = now;
          lat[done] = now - start;
          order[done] = start;
          done++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, stream.length) }, worker));
  }));

  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const cpu1 = options.serverPid === undefined ? null : cpuSeconds(options.serverPid);
  const acks = ackAt.slice(0, done).sort();
  const lo = Math.floor(0.1 * done), hi = Math.max(lo + 1, Math.floor(0.9 * done) - 1);
  const readingsPerSec = (hi - lo) / ((acks[hi] - acks[lo]) / 1000);
  const firstSends = order.slice(0, done).sort();
  const cut = firstSends[Math.floor(0.1 * done)];
  const kept = lat.slice(0, done).filter((_, k) => order[k] >= cut).sort();
  return {
    readings, records, seconds, readingsPerSec,
    p50Ms: percentile(kept, 0.5), p99Ms: percentile(kept, 0.99), maxMs: kept[kept.length - 1],
    serverCpuPct: cpu0 === null || cpu1 === null ? null : (100 * (cpu1 - cpu0)) / seconds,
    clientCpuPct: (100 * (own.user + own.system)) / 1e6 / seconds,
  };
}

/** Left-aligned first column(s), right-aligned numbers, a dashed rule under the header. */
export function table(rows: string[][], rightFrom = 1): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i < rightFrom ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

export const fmt = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
export const ms = (x: number): string => (!Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
export const pct = (x: number | null): string => (x === null ? '-' : `${x.toFixed(0)}%`);
export const ratio = (a: number, b: number): string => {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}x`;
};
