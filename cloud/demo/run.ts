// `sealink demo`, the orchestration: relay, owner, sensors, the owner's live
// feeds, and a graceful stop. Every part is the real thing (cloud/app relay
// app, the owner-key logic of `sealink owner init`, the claim API, the release
// core on a simulated board, the retrieval client); the demo only wires them
// up and prints what happens.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeClaimBundle } from '../app/claim-bundle.ts';
import { createOwnerKey, loadOwnerKey, signApiToken } from '../app/owner-key.ts';
import { createPino, pinoLogger } from '../app/logger.ts';
import { startRelayApp, type RelayApp } from '../app/relay.ts';
import { createClient } from '../client/node.ts';
import type { Identity } from '../keys/did.ts';
import { deviceClaimBundle, type Transport } from '../sim/claim.ts';
import { SensorError, SimSensor, halStatusName } from '../sim/sensor.ts';
import { STATE } from '../sim/status.ts';
import { Climate, FEEDS, type FeedId } from '../sim/weather.ts';
import { CORE_WASM } from './build.ts';
import { follow, type Followed } from './follow.ts';
import { issueLine, readingLine, secs, shortDid } from './format.ts';
import type { DemoOptions } from './options.ts';

/** Where the demo writes: `out` for what it shows (readings), `err` for trouble. */
export interface DemoIo {
  out(line: string): void;
  err(line: string): void;
}

/** A failure the user can fix (port in use, unreadable key...); printed without a stack. */
export class DemoError extends Error {
  constructor(message: string) { super(message); this.name = 'DemoError'; }
}

export interface DemoSummary {
  sensors: number;
  /** Readings each sensor's core sealed and queued (fw_reading returned 0). */
  sealed: number;
  /** Samples the core refused (queue full or another status). */
  refused: number;
  /** Readings still in the sensors' queues, unacknowledged, at the stop. */
  unacknowledged: number;
  /** READING records the relay stored (durably committed) in this run. */
  stored: number;
  /** Readings the owner's live feeds delivered, decrypted and verified, while the demo ran. */
  decrypted: number;
  /** Readings of this run in the owner's final check of each device's whole stream (from its first epoch). */
  verified: number;
  /** Relay misbehaviour the client reported, and sensors that failed (none expected). */
  issues: string[];
  /** True when every sealed reading was stored, decrypted and verified, and no issue came up. */
  ok: boolean;
}

export interface Demo {
  readonly relay: RelayApp;
  readonly owner: string;
  /** Resolves when every sensor has sealed its --readings, or when a sensor failed for good. */
  readonly finished: Promise<void>;
  /** Sensors that failed for good (a core without fw_reading, a trap), as messages. */
  readonly failures: readonly string[];
  /** Stops sampling, flushes, verifies, closes everything. Idempotent. */
  stop(): Promise<DemoSummary>;
}

interface Running {
  name: string;
  sensor: SimSensor;
  transport: Transport;
  climate: Climate;
  sealed: number;
  refused: number;
  timer: ReturnType<typeof setTimeout> | null;
}

const ENROLL_TIMEOUT_MS = 20_000;
const FLUSH_TIMEOUT_MS = 10_000;
const CATCH_UP_TIMEOUT_MS = 5_000;

/** Loads the owner key at `path`, or creates it (as `sealink owner init`). */
function ownerKey(path: string): { id: Identity; created: boolean } {
  try {
    if (existsSync(path)) return { id: loadOwnerKey(path), created: false };
    return { id: createOwnerKey(path), created: true };
  } catch (e) {
    throw new DemoError(`owner key ${path}: ${(e as Error).message}`);
  }
}

async function newClaim(apiBase: string, owner: Identity): Promise<string> {
  const res = await fetch(`${apiBase}/v1/claims`, {
    method: 'POST', headers: { authorization: `Bearer ${await signApiToken(owner)}`, 'content-type': 'application/json' }, body: '{}',
  });
  if (res.status !== 201) throw new DemoError(`the relay refused a claim: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { bundle: string }).bundle;
}

/** SimSensor.start, with its errors (unreadable board storage, a trap) as DemoError. */
async function startSensor(name: string, options: Parameters<typeof SimSensor.start>[0]): Promise<SimSensor> {
  try {
    return await SimSensor.start(options);
  } catch (e) {
    if (e instanceof SensorError) throw new DemoError(`${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Starts the demo; see the file comment. Throws DemoError for what the user
 * can fix; `signal` aborts a start in progress (everything started is closed).
 */
export async function startDemo(o: DemoOptions, io: DemoIo, signal?: AbortSignal): Promise<Demo> {
  const since = Date.now();
  // The core first: nothing is created on disk for a demo that cannot run.
  const wasm = await WebAssembly.compile(readFileSync(CORE_WASM));
  const exported = new Set(WebAssembly.Module.exports(wasm).map((e) => e.name));
  for (const name of ['fw_init', 'fw_enroll', 'fw_reading', 'fw_status']) {
    if (!exported.has(name)) throw new DemoError(`${CORE_WASM} has no ${name} export: it is older than this demo; run \`npm run build\``);
  }
  const owner = ownerKey(o.ownerKey);
  const config = { ...o.relay, owners: [...new Set([...o.relay.owners, owner.id.did])] };
  let relay: RelayApp;
  try {
    relay = await startRelayApp(config, pinoLogger(createPino(config.logLevel, 2)));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new DemoError(`a port is in use (${(e as Error).message}): is a relay already running? Stop it, or pass --udp-port, --tcp-port and --api-port (0: any free port)`);
    }
    throw new DemoError(`the relay did not start: ${(e as Error).message}`);
  }
  const apiHost = config.apiHost === '0.0.0.0' || config.apiHost === '::' ? '127.0.0.1' : config.apiHost;
  const apiBase = `http://${apiHost.includes(':') ? `[${apiHost}]` : apiHost}:${relay.api.port}`;
  const running: Running[] = [];
  /** Sensors whose first session is up (later ones are reported as "up again"). */
  const sessionsUp = new Set<string>();
  const client = createClient({ baseUrl: apiBase, ownerSeed: owner.id.seed });
  const feeds: Followed[] = [];
  let stopping = false;
  const failures: string[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => { finish = r; });

  const cleanup = async (): Promise<void> => {
    for (const f of feeds) f.close();
    for (const s of running) { if (s.timer) clearTimeout(s.timer); s.sensor.close(); }
    await relay.close();
  };

  try {
    io.out('sealink demo: a relay, its owner and simulated sensors running the real core, on this machine');
    io.out(`  data dir   ${config.dataDir}  (relay keys, encrypted database, sensor storage)`);
    io.out(`  owner      ${owner.id.did}`);
    io.out(`             key ${o.ownerKey} (${owner.created ? 'created, mode 0600' : 'existing'}); readings are sealed to it`);
    io.out(`  relay      ${relay.did}`);
    io.out(`             devices udp ${config.host}:${relay.channel.udpPort} tcp ${config.host}:${relay.channel.tcpPort}, api ${apiBase}`);
    io.out(`  sensors    ${o.sensors}, each sealing a reading on feed 1 (temperature) and feed 2 (humidity) every ${o.intervalMs} ms${o.readings === undefined ? '' : `, ${o.readings} readings each`}`);

    for (let i = 0; i < o.sensors; i++) {
      signal?.throwIfAborted();
      const name = `sensor-${i + 1}`;
      const want: Transport = o.transport === 'both' ? (i % 2 === 0 ? 'udp' : 'tcp') : o.transport;
      const started = Date.now();
      const sensor = await startSensor(name, {
        storage: { dir: join(config.dataDir, 'sensors', name) }, wasm,
        // Core errors only: link warnings (a relay restarting) are the core's business, it retries.
        log: (level, m) => { if (level === 0) io.err(`${name}: ${m}`); },
        onState: (state, prev) => {
          if (stopping) return;
          if (prev === STATE.ESTABLISHED && state < STATE.ESTABLISHED) io.out(`${name.padEnd(9)} session lost; the core reconnects and resends what is unacknowledged`);
          else if (state === STATE.ESTABLISHED && prev === STATE.CONNECTING && sessionsUp.has(sensor.did)) io.out(`${name.padEnd(9)} session up again`);
        },
        onFailure: (e) => { failures.push(`${name}: ${e.message}`); io.err(`${name}: stopped: ${e.message}`); finish(); },
      });
      const r: Running = { name, sensor, transport: want, climate: new Climate(i), sealed: 0, refused: 0, timer: null };
      running.push(r);
      const st = sensor.status();
      if (st.state === STATE.UNENROLLED || st.state === STATE.ENROLLING) {
        io.out(`${name.padEnd(9)} ${shortDid(sensor.did)}  new identity from the board RNG; enrolling over ${want.toUpperCase()} with a one-time claim...`);
        const bundle = decodeClaimBundle(await newClaim(apiBase, owner.id));
        // The device seals to the key the owner gives it (ours, below), whatever the relay wrote in the bundle;
        // a relay naming someone else has mixed up claims.
        if (bundle.ownerDid !== owner.id.did) throw new DemoError(`the relay issued a claim for another owner (${bundle.ownerDid})`);
        const bin = deviceClaimBundle(bundle, want, owner.id.did);
        try {
          sensor.enroll(bin);
        } catch (e) {
          throw new DemoError(`${name}: ${(e as Error).message} (a core older than the claim format? run \`npm run build\`)`);
        } finally {
          bin.fill(0);
        }
        bundle.claimToken.fill(0);
      } else {
        r.transport = st.transport === 1 ? 'tcp' : 'udp';
        io.out(`${name.padEnd(9)} ${shortDid(sensor.did)}  enrolled on an earlier run; connecting over ${r.transport.toUpperCase()}...`);
      }
      try {
        await sensor.waitFor((s) => s.state === STATE.ESTABLISHED, ENROLL_TIMEOUT_MS, 'a session', signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new DemoError(`${name} got no session with the relay: ${(e as Error).message}. An enrolled sensor dials the address it enrolled with: `
          + `run with the same ports as then, or remove ${join(config.dataDir, 'sensors')} to enroll new ones`);
      }
      sessionsUp.add(sensor.did);
      feeds.push(await follow(client, sensor.did, {
        since,
        onReading: (reading, info) => io.out(readingLine(name, sensor.did, reading, Date.now(), info?.source === 'fetched')),
        onIssue: (i) => io.out(issueLine(name, sensor.did, i)),
        onStatus: (line) => { if (!stopping) io.out(`${name.padEnd(9)} ${line}`); },
        onError: (m) => io.err(`${name}: ${m}`),
      }));
      io.out(`${name.padEnd(9)} ${shortDid(sensor.did)}  session up (${secs(Date.now() - started)}); the owner follows it live`);
    }

    // Sampling: each tick seals one reading per feed, until --readings.
    const limit = o.readings;
    const tick = (r: Running): void => {
      r.timer = null;
      if (stopping) return;
      for (const feed of Object.keys(FEEDS).map(Number) as FeedId[]) {
        if (limit !== undefined && r.sealed >= limit) break;
        let st: number;
        try {
          st = r.sensor.reading(feed, r.climate.sample(feed));
        } catch (e) {
          // The core trapped (reported by onFailure) or refused the call: nothing more will come; stop the demo.
          if (!(e instanceof SensorError && e.code === 'TRAP')) {
            failures.push(`${r.name}: ${(e as Error).message}`);
            io.err(`${r.name}: ${(e as Error).message}`);
          }
          finish();
          return;
        }
        if (st === 0) r.sealed++;
        else {
          r.refused++;
          io.err(`${r.name}: the core refused a reading: ${halStatusName(st)}`);
        }
      }
      if (limit !== undefined && running.every((x) => x.sealed >= limit)) finish();
      if (limit === undefined || r.sealed < limit) r.timer = setTimeout(() => tick(r), o.intervalMs);
    };
    io.out(`readings as the owner receives them, decrypted with the owner's key and verified (${o.readings === undefined ? 'Ctrl-C to stop' : 'stops by itself'}):`);
    running.forEach((r, i) => { r.timer = setTimeout(() => tick(r), Math.floor((i * o.intervalMs) / running.length)); });
    signal?.throwIfAborted();
  } catch (e) {
    stopping = true;
    await cleanup();
    if (signal?.aborted) throw new DemoError('stopped before the demo was up');
    throw e;
  }

  let stopped: Promise<DemoSummary> | null = null;
  return {
    relay, owner: owner.id.did, finished, failures,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        for (const r of running) { if (r.timer) clearTimeout(r.timer); r.timer = null; }
        // Flush: the cores send what is queued; wait for the relay's ACKs (durable commits).
        const end = Date.now() + FLUSH_TIMEOUT_MS;
        while (Date.now() < end && running.some((r) => r.sensor.status().queued > 0)) await new Promise((res) => setTimeout(res, 50));
        const sealed = running.reduce((n, r) => n + r.sealed, 0);
        // Give the live feeds time to deliver the last readings stored.
        const delivered = () => feeds.reduce((n, f) => n + f.delivered, 0);
        const cend = Date.now() + CATCH_UP_TIMEOUT_MS;
        while (Date.now() < cend && delivered() < sealed) await new Promise((res) => setTimeout(res, 50));
        // The owner's final check: each device's whole stream, from its first epoch.
        const issues: string[] = [...failures];
        let verified = 0;
        for (const r of running) {
          try {
            const v = await client.readings({ device: r.sensor.did });
            verified += v.readings.filter((x) => (x.receivedAt ?? 0) >= since).length;
            for (const i of v.issues) if (i.kind !== 'open') issues.push(issueLine(r.name, r.sensor.did, i));
          } catch (e) {
            issues.push(`${r.name}: final check failed: ${(e as Error).message}`);
          }
        }
        const unacknowledged = running.reduce((n, r) => n + r.sensor.status().queued, 0);
        const stored = relay.metrics.ingested.get('kind="reading",result="stored"') ?? 0;
        await cleanup();
        const decrypted = delivered();
        return {
          sensors: running.length, sealed, refused: running.reduce((n, r) => n + r.refused, 0), unacknowledged, stored,
          decrypted, verified, issues,
          // >=: readings a sensor queued on an earlier run and sent now count too.
          ok: issues.length === 0 && decrypted >= sealed && verified >= sealed,
        };
      })();
      return stopped;
    },
  };
}

/** The summary as lines. */
export function summaryLines(s: DemoSummary, elapsedMs: number): string[] {
  return [
    `summary after ${secs(elapsedMs)}: ${s.sensors} sensor${s.sensors === 1 ? '' : 's'}`,
    `  sealed by the sensors' cores     ${s.sealed}${s.refused ? `  (${s.refused} refused by the core)` : ''}`,
    `  stored by the relay (durable)    ${s.stored}${s.unacknowledged ? `  (${s.unacknowledged} still queued on the sensors, sent on the next run)` : ''}`,
    `  decrypted by the owner           ${s.decrypted}  (live feed, each reading once)`,
    `  verified end to end              ${s.verified}  (signatures, epoch chains, no gap, reorder or deletion)`,
    ...(s.issues.length === 0 ? [] : ['  ISSUES:', ...s.issues.map((i) => `    ${i}`)]),
    s.ok ? 'ok: every reading sealed was stored, decrypted and verified' : 'NOT OK: see the numbers above',
  ];
}
