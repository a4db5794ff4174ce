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

export { BIN, startRelayChild, killRelay, type Ports, type RelayChild } from '../support/relay-child.ts';
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

export { waitFor, sleep } from '../support/wait.ts';

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
