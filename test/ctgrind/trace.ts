// Records a device's life for the ctgrind protocol cases (protocol_cases.c):
// the release core on the simulated board, against the TypeScript relay over
// loopback UDP, enrolls, opens sessions, seals readings, rekeys, rotates an
// epoch and reboots. What the core did and what the board answered is written
// as one byte stream (the "trace"), which test/ctgrind.test.ts compiles into
// the C harness (build/ctgrind/, never checked in). The C replay calls the
// same entry points with the same inputs; the stub HAL (hal_stub.c) answers
// clock, network and storage from the trace and draws random bytes from the
// same LCG as here, so the core makes the same handshake messages and the
// relay's recorded answers authenticate. Every byte the core sends and every
// status record is compared, so the replay provably took the success paths.
//
// Format (little-endian): "CTTR" | u64 rng seed | items. An item is a tag byte:
//   SEGMENT u8 len | name                 a protocol case starts (protocol_cases.c)
//   OP u8 op | args, then events, END i32 result [| status record]
//   events, in the order the core made the HAL calls:
//     CLOCK u64 | RNG u32 len | OPEN i32 result | SEND i32 handle, i32 result, u32 len, bytes
//     CLOSE i32 handle, i32 result | GET/PUT/DELETE u8 keylen, key, i32 result
//   FINISH

import { identityFromSeed } from '../../cloud/keys/did.ts';
import { SimHal } from '../../hal/node/sim.ts';
import { loadCore } from '../../hal/node/core.ts';
import {
  ManualClock, STATE, STATUS_RECORD_BYTES, claimBundle, put, take, startTestRelay, io, status,
  type Exports, type TestRelay,
} from '../device/support.ts';
import { rng } from '../support/rng.ts';

export const TAG = { SEGMENT: 1, OP: 2, END: 3, FINISH: 4, CLOCK: 16, RNG: 17, OPEN: 18, SEND: 19, CLOSE: 20, GET: 21, PUT: 22, DELETE: 23 } as const;
export const OP = { INIT: 1, STEP: 2, ENROLL: 3, PACKET: 4, READING: 5, STATUS: 6 } as const;
/** Where the claim token sits in a claim bundle (firmware/protocol/conf.ts): the only secret in it. */
export const BUNDLE_TOKEN_OFF = 44;
export const BUNDLE_TOKEN_BYTES = 16;

/** The stub's generator (hal_stub.c): a 64-bit LCG, one byte per step from the top bits. */
export class Lcg {
  private s: bigint;
  constructor(seed: bigint) { this.s = seed & 0xffffffffffffffffn; }
  fill(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) {
      this.s = (this.s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      out[i] = Number(this.s >> 56n);
    }
  }
}

class Writer {
  private chunks: number[] = [];
  u8(v: number): void { this.chunks.push(v & 0xff); }
  i32(v: number): void { for (let i = 0; i < 4; i++) this.u8((v >>> (8 * i)) & 0xff); }
  u64(v: bigint): void { for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn)); }
  bytes(b: Uint8Array): void { for (const x of b) this.u8(x); }
  key(k: Uint8Array): void { this.u8(k.length); this.bytes(k); }
  done(): Uint8Array { return Uint8Array.from(this.chunks); }
}

/** A SimHal that writes every answer the core gets from the board into the trace. */
class RecordingHal extends SimHal {
  /** While set (the recorder's own status reads), nothing is written: the replay does not make those calls. */
  muted = false;
  private readonly w: Writer;
  constructor(w: Writer, options: ConstructorParameters<typeof SimHal>[0]) {
    super(options);
    const on = () => !this.muted;
    // A writer that drops what muted calls produce.
    this.w = new Proxy(w, { get: (t, k) => (on() ? (t as any)[k].bind(t) : () => {}) });
  }
  /** Wraps fw_on_packet so deliveries from the sockets are recorded as PACKET ops. */
  override attach(exports: WebAssembly.Exports): void {
    const x = exports as unknown as Exports;
    const w = this.w;
    super.attach({
      memory: x.memory, fw_rx_ptr: x.fw_rx_ptr, fw_rx_bytes: x.fw_rx_bytes,
      fw_on_packet(handle: number, len: number): number {
        const data = new Uint8Array(x.memory.buffer, x.fw_rx_ptr(), len).slice();
        w.u8(TAG.OP); w.u8(OP.PACKET); w.i32(handle); w.i32(len); w.bytes(data);
        const r = x.fw_on_packet(handle, len);
        w.u8(TAG.END); w.i32(r);
        return r;
      },
    } as unknown as WebAssembly.Exports);
  }
  override hal_clock_now_ms(out: Uint8Array): number {
    const r = super.hal_clock_now_ms(out);
    if (r !== 0) throw new Error('trace: clock failed');
    this.w.u8(TAG.CLOCK); this.w.bytes(out.subarray(0, 8));
    return r;
  }
  override hal_rng_fill(out: Uint8Array): number {
    this.w.u8(TAG.RNG); this.w.i32(out.length);
    return super.hal_rng_fill(out);
  }
  override hal_net_open(transport: number, host: Uint8Array, port: number): number {
    const r = super.hal_net_open(transport, host, port);
    this.w.u8(TAG.OPEN); this.w.i32(r);
    return r;
  }
  override hal_net_send(handle: number, data: Uint8Array): number {
    const r = super.hal_net_send(handle, data);
    this.w.u8(TAG.SEND); this.w.i32(handle); this.w.i32(r); this.w.i32(data.length); this.w.bytes(data);
    return r;
  }
  override hal_net_close(handle: number): number {
    const r = super.hal_net_close(handle);
    this.w.u8(TAG.CLOSE); this.w.i32(handle); this.w.i32(r);
    return r;
  }
  override hal_storage_get(key: Uint8Array, out: Uint8Array): number {
    const r = super.hal_storage_get(key, out);
    this.w.u8(TAG.GET); this.w.key(key); this.w.i32(r);
    return r;
  }
  override hal_storage_put(key: Uint8Array, value: Uint8Array): number {
    const r = super.hal_storage_put(key, value);
    this.w.u8(TAG.PUT); this.w.key(key); this.w.i32(r);
    return r;
  }
  override hal_storage_delete(key: Uint8Array): number {
    const r = super.hal_storage_delete(key);
    this.w.u8(TAG.DELETE); this.w.key(key); this.w.i32(r);
    return r;
  }
}

/** What the recording reached: the test checks these before trusting the replay. */
export interface TraceSummary {
  segments: string[];
  /** Status after each segment. */
  states: Record<string, ReturnType<typeof status>>;
  readings: number;
  /** Sealed records the relay delivered (EPOCH_OPEN, READING, EPOCH_CLOSE). */
  delivered: number;
}

export interface Trace { bytes: Uint8Array; summary: TraceSummary }

/** The device's life, recorded. `seed`: the LCG seed (the stub's, in the trace header). */
export async function recordTrace(seed: bigint): Promise<Trace> {
  const w = new Writer();
  w.bytes(new TextEncoder().encode('CTTR'));
  w.u64(seed);
  const lcg = new Lcg(seed);
  const clock = new ManualClock();
  const relay: TestRelay = await startTestRelay(clock, 'ctgrind-protocol');
  const owner = identityFromSeed(rng('ctgrind-protocol:owner').bytes(32));
  const payloads = rng('ctgrind-protocol:payloads');
  const boot = clock.now();
  const hal = new RecordingHal(w, {
    clock: { now: () => clock.now() - boot },
    random: (out) => lcg.fill(out),
    storage: new Map(),
    network: true,
    log: () => {},
  });
  const x = (await loadCore({ hal })).exports as unknown as Exports;
  const summary: TraceSummary = { segments: [], states: {}, readings: 0, delivered: 0 };
  let segment = '';

  const op = (code: number, args: () => void, call: () => number): number => {
    w.u8(TAG.OP); w.u8(code); args();
    const r = call();
    w.u8(TAG.END); w.i32(r);
    return r;
  };
  const step = () => op(OP.STEP, () => {}, () => x.fw_step());
  const recordStatus = () => {
    const off = 4096;
    w.u8(TAG.OP); w.u8(OP.STATUS); w.i32(off);
    const r = x.fw_status(off);
    w.u8(TAG.END); w.i32(r);
    w.bytes(take(x, off, STATUS_RECORD_BYTES));
    return peek();
  };
  const begin = (name: string) => {
    if (segment) summary.states[segment] = recordStatus();
    segment = name;
    summary.segments.push(name);
    w.u8(TAG.SEGMENT); w.u8(name.length); w.bytes(new TextEncoder().encode(name));
  };
  /** fw_step every stepMs of simulated time, letting the sockets run, until done. */
  const until = async (done: () => boolean, what: string, stepMs = 100, maxMs = 30_000) => {
    const start = clock.now();
    for (;;) {
      step();
      for (let i = 0; i < 3; i++) await io(1);
      if (done()) return;
      if (clock.now() - start >= maxMs) throw new Error(`trace: timed out waiting for ${what}`);
      clock.advance(stepMs);
    }
  };
  /** The status without recording it (fw_status only reads the clock, which never goes back). */
  const peek = () => { hal.muted = true; try { return status(x); } finally { hal.muted = false; } };
  const state = () => peek().state;
  const reading = (feed: number, len: number) => {
    const p = payloads.bytes(len);
    const r = op(OP.READING, () => { w.i32(feed); w.i32(len); w.bytes(p); }, () => { put(x, 0, p); return x.fw_reading(feed, 0, len); });
    if (r !== 0) throw new Error(`trace: fw_reading: ${r}`);
    summary.readings++;
  };
  const acked = () => peek().queued === 0;

  try {
    begin('boot');
    if (op(OP.INIT, () => {}, () => x.fw_init()) !== 0) throw new Error('trace: fw_init');

    begin('enroll');
    const { claimId, claimToken } = relay.claim();
    const bundle = claimBundle(relay.identity.ed25519PublicKey, 'udp', relay.server.udpPort, claimId, claimToken, '127.0.0.1', owner.ed25519PublicKey);
    const r = op(OP.ENROLL, () => { w.i32(bundle.length); w.bytes(bundle); }, () => { put(x, 0, bundle); return x.fw_enroll(0, bundle.length); });
    if (r !== 0) throw new Error(`trace: fw_enroll: ${r}`);
    await until(() => state() === STATE.ESTABLISHED, 'enrollment and the first session');

    begin('reading');
    // The first opens epoch 1 (HPKE wrap, signature), the others seal under K_E.
    for (const len of [1, 16, 100]) reading(1, len);
    await until(acked, 'ACKs of the first readings');

    begin('rekey');
    clock.advance(160_000); // past REKEY_AFTER_TIME + REKEY_JITTER (150 s): a new SESSION_INIT on the next step
    await until(() => state() === STATE.ESTABLISHED && peek().sessions >= 2, 'the rekey');
    reading(2, 33);
    await until(acked, 'ACK after the rekey');

    begin('rotate');
    clock.advance(4_300_000); // past the epoch time budget (1 h + 10 min jitter at most); the session expired
    await until(() => state() === STATE.ESTABLISHED, 'a session after an hour');
    reading(1, 64); // EPOCH_CLOSE (signed), EPOCH_OPEN (new K_E), READING
    await until(acked, 'ACKs after the rotation');

    begin('reboot');
    // A later boot on the same storage: the seed is loaded, not drawn; the
    // epoch has no key any more, so the next reading closes and reopens it.
    if (op(OP.INIT, () => {}, () => x.fw_init()) !== 0) throw new Error('trace: fw_init after reboot');
    await until(() => state() === STATE.ESTABLISHED, 'a session after the reboot');
    reading(3, 7);
    await until(acked, 'ACKs after the reboot');
    summary.states[segment] = recordStatus();
    w.u8(TAG.FINISH);
    summary.delivered = relay.records.length;
  } finally {
    hal.close();
    await relay.server.close();
  }
  return { bytes: w.done(), summary };
}

/** The trace as a C source: `ct_trace` and `ct_trace_bytes` (protocol_cases.c). */
export function traceToC(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 24) lines.push(`  ${Array.from(bytes.subarray(i, i + 24), (b) => `${b},`).join('')}`);
  return `/* GENERATED by test/ctgrind/trace.ts at test time: a recorded device life. */\n#include <stdint.h>\n`
    + `const uint8_t ct_trace[] = {\n${lines.join('\n')}\n};\nconst uint32_t ct_trace_bytes = ${bytes.length}u;\n`;
}
