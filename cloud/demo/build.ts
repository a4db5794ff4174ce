// The demo needs the compiled core. `npm install && npx sealink demo` must work
// on a fresh clone, so a missing build/sealink-core.wasm is built here, once,
// with the project's own build (scripts/build.ts: the same compile and checks
// as `npm run build`), instead of on every `npm install` (a prepare script
// would slow every install and CI run and fail installs the build cannot run in).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The release core loadCore() reads by default. */
export const CORE_WASM = fileURLToPath(new URL('../../build/sealink-core.wasm', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build.ts', import.meta.url));

/** The core is missing and could not be built. */
export class CoreBuildError extends Error {
  constructor(message: string) { super(message); this.name = 'CoreBuildError'; }
}

/** Newest modification time (ms) of the core's sources: firmware/ and the HAL contract. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(ROOT, 'firmware'));
  for (const f of ['hal/contract.json', 'asconfig.json']) if (existsSync(join(ROOT, f))) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

/** 'missing', 'stale' (a source is newer, e.g. after a pull) or 'ok'. */
export function coreBuildState(): 'missing' | 'stale' | 'ok' {
  if (!existsSync(CORE_WASM)) return 'missing';
  if (!existsSync(join(ROOT, 'firmware'))) return 'ok'; // an installed package: no sources to compare with
  return statSync(CORE_WASM).mtimeMs < newestSource() ? 'stale' : 'ok';
}

/**
 * Builds the core if build/sealink-core.wasm is missing or older than its
 * sources (progress on `log`). Throws CoreBuildError with what to run when it cannot.
 */
export async function ensureCoreBuilt(log: (line: string) => void): Promise<void> {
  const state = coreBuildState();
  if (state === 'ok') return;
  if (!existsSync(BUILD_SCRIPT)) throw new CoreBuildError(`${CORE_WASM} is ${state} and this copy has no build script; run \`npm run build\` in the sealink repository`);
  log(state === 'missing'
    ? 'the sensor core is not built yet (build/sealink-core.wasm): running `npm run build` once (about a minute)...'
    : 'the sensor core\'s sources are newer than build/sealink-core.wasm: running `npm run build` (about a minute)...');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BUILD_SCRIPT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); };
    child.stdout.on('data', (d: Buffer) => {
      keep(d);
      for (const l of d.toString().split('\n')) if (l.startsWith('[build')) log(`  ${l}`);
    });
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (c) => {
      if (c !== 0) log(tail);
      resolve(c);
    });
  });
  if (code !== 0 || !existsSync(CORE_WASM)) throw new CoreBuildError('building the core failed (output above); fix it and run `npm run build`');
}
