// `sealink relay` as a child process on 127.0.0.1 for the suites that need a
// real relay process (test/app/process, test/e2e): started on free ports (or
// given ones, for a restart), resolved once it logs that it listens.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../cloud/cli/sealink.mjs', import.meta.url));

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

