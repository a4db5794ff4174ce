// Shared setup of the retrieval-library suites: the relay app in process on
// 127.0.0.1 (free ports, or the same ones again for a restart), and a device
// that seals with the TS reference sealer and sends over the real channel,
// keeping what the relay has not acknowledged (as the core's storage ring).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { DEFAULT_CONFIG } from '../../cloud/app/config.ts';
import { signApiToken } from '../../cloud/app/owner-key.ts';
import { startRelayApp, type RelayApp } from '../../cloud/app/relay.ts';
import { DeviceClient, openTcpLink, type DeviceCredentials } from '../../cloud/device/index.ts';
import { identityFromSeed, type Identity } from '../../cloud/keys/did.ts';
import { EpochSealer } from '../../cloud/readings/index.ts';

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `sealink-client-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newIdentity(): Identity {
  return identityFromSeed(new Uint8Array(randomBytes(32)));
}

export interface Ports { udpPort: number; tcpPort: number; apiPort: number }

/** The relay app on 127.0.0.1; `ports` 0 = any free (give the old ones to restart in place). */
export function startRelay(dataDir: string, owner: Identity, ports: Ports = { udpPort: 0, tcpPort: 0, apiPort: 0 }): Promise<RelayApp> {
  return startRelayApp({
    ...DEFAULT_CONFIG, dataDir, owners: [owner.did], host: '127.0.0.1', apiHost: '127.0.0.1', logLevel: 'silent', commitDelayMs: 1,
    ...ports,
  });
}

export function portsOf(app: RelayApp): Ports {
  return { udpPort: app.channel.udpPort, tcpPort: app.channel.tcpPort, apiPort: app.api.port };
}

export const apiOf = (app: RelayApp): string => `http://127.0.0.1:${app.api.port}`;

/** A device enrolled with `app` for `owner`: seals epochs of `perEpoch` readings and sends them over TCP. */
export class TestDevice {
  readonly identity = newIdentity();
  readonly sealer: EpochSealer;
  /** seq -> payload text of every reading sealed. */
  readonly sealed = new Map<bigint, string>();
  private readonly queue: Uint8Array[] = [];
  private client: DeviceClient | null = null;
  private credentials: DeviceCredentials | undefined;
  private inEpoch = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(owner: Identity, private readonly perEpoch = 5) {
    this.sealer = new EpochSealer({ seed: this.identity.seed, readers: [owner.x25519PublicKey] });
  }

  get did(): string { return this.identity.did; }

  async enroll(app: RelayApp, owner: Identity): Promise<void> {
    const res = await fetch(`${apiOf(app)}/v1/claims`, { method: 'POST', headers: { authorization: `Bearer ${await signApiToken(owner)}` } });
    if (res.status !== 201) throw new Error(`claim: ${res.status}`);
    const bundle = decodeClaimBundle(((await res.json()) as { bundle: string }).bundle);
    this.client = new DeviceClient({ identity: this.identity, link: await openTcpLink('127.0.0.1', bundle.tcpPort!), persist: (c) => { this.credentials = c; } });
    await this.client.enroll(bundle);
    await this.client.connect();
  }

  /** Seal `n` readings (opening and closing epochs on the way) and send what the relay lacks, if connected. */
  emit(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      if (this.inEpoch === 0) this.queue.push(this.sealer.openEpoch());
      const seq = this.sealer.state().nextSeq;
      const text = `reading ${seq} of ${this.did.slice(-6)}`;
      this.queue.push(this.sealer.sealReading(1, new TextEncoder().encode(text)));
      this.sealed.set(seq, text);
      if (++this.inEpoch === this.perEpoch) { this.queue.push(this.sealer.closeEpoch()); this.inEpoch = 0; }
    }
    return this.flush();
  }

  /** Send the queue in order, each after the previous one's ACK (durable commit). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      try {
        while (this.client !== null && this.queue.length > 0) {
          await this.client.send(this.queue[0]);
          this.queue.shift();
        }
      } catch {
        // The link went down: what was not acknowledged stays queued for reconnect().
      }
    });
    return this.flushing;
  }

  get queued(): number { return this.queue.length; }

  /** The link is gone (relay stopped): drop the client, keep the queue. */
  async disconnect(): Promise<void> {
    const c = this.client;
    this.client = null;
    await this.flushing.catch(() => {});
    this.flushing = Promise.resolve();
    await c?.close();
  }

  /** Come back to `app` with the persisted credentials and resend what was not acknowledged. */
  async reconnect(app: RelayApp): Promise<void> {
    this.client = new DeviceClient({
      identity: this.identity, link: await openTcpLink('127.0.0.1', app.channel.tcpPort),
      credentials: this.credentials, persist: (c) => { this.credentials = c; },
    });
    await this.client.connect();
    await this.flush();
  }

  async close(): Promise<void> {
    await this.disconnect();
  }
}

export { waitFor, sleep } from '../support/wait.ts';

/** 1n..n */
export const seqs = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i + 1));
export const sortSeqs = (a: bigint[]): bigint[] => [...a].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
