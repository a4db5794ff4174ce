// Shared setup for the relay app suites: temp data dirs, an in-process relay on
// 127.0.0.1 free ports, owners, sealed-record-shaped bytes, bounded waits.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CONFIG, type RelayConfig } from '../../cloud/app/config.ts';
import { startRelayApp, type RelayApp } from '../../cloud/app/relay.ts';
import { signApiToken } from '../../cloud/app/owner-key.ts';
import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { waitFor as wait } from '../support/wait.ts';

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `sealink-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newIdentity(): Identity {
  return identityFromSeed(new Uint8Array(randomBytes(32)));
}

export function testConfig(dataDir: string, owners: string[]): RelayConfig {
  return {
    ...DEFAULT_CONFIG, dataDir, owners, host: '127.0.0.1', udpPort: 0, tcpPort: 0, apiHost: '127.0.0.1', apiPort: 0,
    logLevel: 'silent', commitDelayMs: 1,
  };
}

export async function startTestRelay(dataDir: string, owners: Identity[]): Promise<RelayApp> {
  return startRelayApp(testConfig(dataDir, owners.map((o) => o.did)));
}

export function apiUrl(app: RelayApp, path: string): string {
  return `http://127.0.0.1:${app.api.port}${path}`;
}

/** fetch with `who`'s bearer token (or a given token). */
export async function call(app: RelayApp, method: string, path: string, who: Identity | string | undefined, body?: unknown): Promise<{ status: number; json: any }> {
  const token = who === undefined ? undefined : typeof who === 'string' ? who : await signApiToken(who);
  const res = await fetch(apiUrl(app, path), {
    method,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const le64 = (n: number): number[] => [...le32(n >>> 0), ...le32(Math.floor(n / 2 ** 32))];

/** Bytes shaped like an EPOCH_OPEN with one wrap (contents random: the relay cannot check them). */
export function epochOpen(epoch: number, firstSeq: number): Uint8Array {
  return Uint8Array.from([1, ...le32(epoch), ...le64(firstSeq), ...randomBytes(32), 1, ...randomBytes(112), ...randomBytes(64)]);
}

/** Bytes shaped like a READING. */
export function reading(epoch: number, seq: number, feed = 7, payload = 8): Uint8Array {
  return Uint8Array.from([2, ...le32(epoch), ...le64(seq), feed & 0xff, feed >> 8, ...randomBytes(payload + 16)]);
}

/** Bytes shaped like an EPOCH_CLOSE. */
export function epochClose(epoch: number, lastSeq: number, count: number): Uint8Array {
  return Uint8Array.from([3, ...le32(epoch), ...le64(lastSeq), ...le32(count), ...randomBytes(32), ...randomBytes(64)]);
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]);
}

/** waitFor (test/support/wait.ts) polling every 5 ms. */
export const waitFor = (cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> => wait(cond, ms, what, 5);
