// Shared setup of the end-to-end suites: temp dirs, `sealink relay` as a child
// process on 127.0.0.1 (free ports, or given ones for a restart), claims
// through the API, sensors running the release core, and bounded waits.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { signApiToken } from '../../cloud/app/owner-key.ts';
import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { deviceClaimBundle, type Transport } from '../../cloud/sim/claim.ts';
import { SimSensor } from '../../cloud/sim/sensor.ts';
import { STATE } from '../../cloud/sim/status.ts';

export const BIN = fileURLToPath(new URL('../../cloud/cli/sealink.mjs', import.meta.url));
export const CORE_WASM = fileURLToPath(new URL('../../build/sealink-core.wasm', import.meta.url));

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `sealink-e2e-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newIdentity(): Identity {
  return identityFromSeed(new Uint8Array(randomBytes(32)));
}

/** The release core, compiled once per suite. */
let compiled: Promise<WebAssembly.Module> | undefined;
export function coreModule(): Promise<WebAssembly.Module> {
  if (!existsSync(CORE_WASM)) throw new Error(`${CORE_WASM} not built: run \`npm run build\``);
  compiled ??= WebAssembly.compile(readFileSync(CORE_WASM));
  return compiled;
}

export interface Ports { udpPort: number; tcpPort: number; apiPort: number }

export interface RelayChild {
  child: ChildProcess;
  ports: Ports;
  /** Every stdout/stderr line so far (pino JSON on stdout). */
  lines: string[];
  exited: Promise<number | null>;
  api: string;
}

/** `sealink relay` in a child process on 127.0.0.1; `ports` 0 = any free. Resolves once it listens. */
export function startRelayChild(dataDir: string, owner: string, ports: Ports = { udpPort: 0, tcpPort: 0, apiPort: 0 }): Promise<RelayChild> {
  const child = spawn(process.execPath, [BIN, 'relay', '--data-dir', dataDir, '--host', '127.0.0.1', '--api-host', '127.0.0.1',
    '--udp-port', String(ports.udpPort), '--tcp-port', String(ports.tcpPort), '--api-port', String(ports.apiPort), '--owner', owner],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`relay did not start:\n${lines.join('\n')}`)); }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        let j: { msg?: string } & Partial<Ports>;
        try { j = JSON.parse(line); } catch { continue; }
        if (j.msg === 'relay: listening') {
          clearTimeout(t);
          const p = { udpPort: j.udpPort!, tcpPort: j.tcpPort!, apiPort: j.apiPort! };
          resolve({ child, ports: p, lines, exited, api: `http://127.0.0.1:${p.apiPort}` });
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()));
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`relay exited ${code}:\n${lines.join('\n')}`)); });
  });
}

/** SIGKILL `r` (if still running) and wait for it to be gone. */
export async function killRelay(r: RelayChild | undefined): Promise<void> {
  if (r === undefined) return;
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  await r.exited;
}

/** A one-time claim from the relay at `api`, as the bundle string. */
export async function claim(api: string, owner: Identity): Promise<string> {
  const res = await fetch(`${api}/v1/claims`, { method: 'POST', headers: { authorization: `Bearer ${await signApiToken(owner)}` } });
  if (res.status !== 201) throw new Error(`claim: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { bundle: string }).bundle;
}

/** A sensor on the release core, enrolled through `api` for `owner`, with a session up. */
export async function enrolledSensor(api: string, owner: Identity, transport: Transport, storage: Map<string, Uint8Array> | { dir: string } = new Map()): Promise<SimSensor> {
  const sensor = await SimSensor.start({ storage, wasm: await coreModule(), log: () => {} });
  try {
    sensor.enroll(deviceClaimBundle(decodeClaimBundle(await claim(api, owner)), transport, owner.did));
    await sensor.waitFor((s) => s.state === STATE.ESTABLISHED, 15_000, `${transport} sensor session`);
  } catch (e) {
    sensor.close();
    throw e;
  }
  return sensor;
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every encoding a careless store might write `value` in (as test/store/at-rest.test.ts). */
export function forms(value: string | Uint8Array): Buffer[] {
  const raw = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const out = [raw, Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('hex').toUpperCase()), Buffer.from(raw.toString('base64')),
    Buffer.from(raw.toString('base64url')), createHash('sha256').update(raw).digest()];
  if (typeof value === 'string') out.push(Buffer.from(value, 'utf16le'));
  return out.map((b) => (b.length > 12 && b.at(-1) === 0x3d ? b.subarray(0, b.indexOf(0x3d)) : b));
}

/** Names of the secrets found in any of `files` (missing files skipped). */
export function scan(files: string[], secrets: Record<string, string | Uint8Array>): string[] {
  const found: string[] = [];
  for (const file of files.filter((f) => existsSync(f))) {
    const data = readFileSync(file);
    for (const [name, value] of Object.entries(secrets)) {
      forms(value).forEach((f, i) => { if (data.includes(f)) found.push(`${name} (form ${i}) in ${file}`); });
    }
  }
  return found;
}
