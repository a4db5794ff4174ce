// Debian packages a test needs (wabt, valgrind, gcc): present, or installed
// here when the test runs as root with apt-get (CI on Debian), or a clear error.
// Only tests call this: the build itself never installs anything.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The command that shows a package is installed (default: the package's own name). */
const COMMAND_OF: Record<string, string> = {
  wabt: 'wasm2c',
  valgrind: 'valgrind',
  gcc: 'gcc',
};

/**
 * True when `cmd` is on PATH outside node_modules: npm puts node_modules/.bin
 * first, and the npm `wabt` package has a `wasm2c` of its own that is not
 * Debian's (scripts/host-build.ts uses the system one).
 */
export function hasCommand(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    if (!dir || dir.includes('node_modules')) return false;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return statSync(join(dir, cmd)).isFile();
    } catch {
      return false;
    }
  });
}

function aptListsEmpty(): boolean {
  const dir = '/var/lib/apt/lists';
  return !existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4'));
}

function apt(args: string[]): boolean {
  console.log(`[ensure-debian-tools] apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/**
 * Makes sure each Debian package in `packages` is installed (checked by its
 * command: wabt -> wasm2c, valgrind -> valgrind, gcc -> gcc). Missing ones are
 * installed with `apt-get install -y --no-install-recommends` (after
 * `apt-get update` when the package lists are empty or the install fails)
 * when running as root with apt-get available; otherwise throws an Error
 * naming the packages and the command to run.
 */
export function ensureDebianPackages(packages: string[]): void {
  const missing = packages.filter((p) => !hasCommand(COMMAND_OF[p] ?? p));
  if (missing.length === 0) return;
  const what = missing.map((p) => `${COMMAND_OF[p] ?? p} (Debian package ${p})`).join(', ');
  const canInstall = process.getuid?.() === 0 && hasCommand('apt-get');
  if (!canInstall) {
    throw new Error(`missing ${what}; install with: sudo apt-get install ${missing.join(' ')}`);
  }
  console.log(`[ensure-debian-tools] installing ${missing.join(' ')} (missing ${what})`);
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  let ok = false;
  if (!aptListsEmpty()) ok = apt(install);
  if (!ok) ok = apt(['update']) && apt(install);
  const still = missing.filter((p) => !hasCommand(COMMAND_OF[p] ?? p));
  if (!ok || still.length > 0) {
    throw new Error(`could not install ${still.join(' ') || missing.join(' ')} with apt-get; install by hand: apt-get install ${missing.join(' ')}`);
  }
}
