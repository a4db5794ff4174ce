// Timing: warm up, size a batch to ~batchMs, then time batches with
// process.hrtime.bigint until the cell's budget is spent; report the median
// of the per-batch rates (robust against a GC pause or a scheduler hiccup).

const { hrtime } = process;

export interface MeasureOptions {
  /** Time spent calling the function before any batch counts (JIT tiers, noble's precomputes). */
  warmupMs: number;
  /** Target duration of one timed batch. */
  batchMs: number;
  /** Timed budget of the cell: batches continue until it is spent... */
  cellMs: number;
  /** ...and at least this many batches ran. */
  minBatches: number;
}

export interface Measurement {
  /** Median over batches of (ops in batch / batch seconds). */
  opsPerSec: number;
  /** Slowest and fastest batch, for judging the noise. */
  minOpsPerSec: number;
  maxOpsPerSec: number;
  batches: number;
  opsPerBatch: number;
  /** Wall time of the timed batches (warm-up excluded). */
  timedMs: number;
}

/** Holds the last result so no call can be optimised away. */
export let lastResult: unknown;

function batch(fn: () => unknown, n: number): number {
  const t0 = hrtime.bigint();
  for (let i = 0; i < n; i++) lastResult = fn();
  return Number(hrtime.bigint() - t0) / 1e6;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function measure(fn: () => unknown, opt: MeasureOptions): Measurement {
  // Warm-up doubles as calibration: grow the batch until it takes ~batchMs.
  let n = 1;
  let ms = batch(fn, n);
  let warm = ms;
  while (warm < opt.warmupMs || ms < opt.batchMs / 4) {
    if (ms < opt.batchMs / 2) n *= 2;
    ms = batch(fn, n);
    warm += ms;
  }
  n = Math.max(1, Math.round((n * opt.batchMs) / Math.max(ms, 1e-3)));

  const rates: number[] = [];
  let timed = 0;
  while (timed < opt.cellMs || rates.length < opt.minBatches) {
    const t = batch(fn, n);
    timed += t;
    rates.push(n / (Math.max(t, 1e-6) / 1e3));
  }
  return {
    opsPerSec: median(rates),
    minOpsPerSec: Math.min(...rates),
    maxOpsPerSec: Math.max(...rates),
    batches: rates.length,
    opsPerBatch: n,
    timedMs: timed,
  };
}
