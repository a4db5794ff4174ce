// Child processes and temp dirs the benches start, undone even when the bench
// fails or is interrupted: each owner undoes its own in a finally block; this
// registry also undoes whatever is still registered when the process exits
// (an uncaught error) or gets SIGINT / SIGTERM (Ctrl-C mid-run).

import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function undoAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', undoAll);
  // `on`, not `once`: Ctrl-C under `npm run` delivers SIGINT twice (from the terminal and
  // relayed by tsx), and a second one without a handler would kill us mid-cleanup.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => { undoAll(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  }
}

/** Kill `child` (SIGKILL) if it is still running when this process ends; returns a function that forgets it. */
export function trackChild(child: ChildProcess): () => void {
  hook();
  children.add(child);
  return () => { children.delete(child); };
}

/** Remove `dir` when this process ends unless removed before; returns the function that removes it now. */
export function trackDir(dir: string): () => void {
  hook();
  dirs.add(dir);
  return () => { dirs.delete(dir); rmSync(dir, { recursive: true, force: true }); };
}
