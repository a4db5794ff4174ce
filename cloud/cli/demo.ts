// `sealink demo`: the main job in one command (see --help and cloud/demo/).
// Exit codes: 0 every reading sealed was stored, decrypted and verified;
// 1 a runtime failure or a reading missing or unverified; 2 bad options.

import { ConfigError } from '../app/config.ts';
import { CoreBuildError, ensureCoreBuilt } from '../demo/build.ts';
import { DemoHelp, demoHelp, parseDemoArgs, type DemoOptions } from '../demo/options.ts';
import { DemoError, startDemo, summaryLines, type Demo, type DemoIo } from '../demo/run.ts';

const stdio: DemoIo = {
  out: (line) => { process.stdout.write(`${line}\n`); },
  err: (line) => { process.stderr.write(`${line}\n`); },
};

/** Runs `sealink demo argv...`; resolves with the exit code once everything stopped. */
export async function demoCommand(argv: readonly string[], io: DemoIo = stdio): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(argv);
  } catch (e) {
    if (e instanceof DemoHelp) { process.stdout.write(demoHelp()); return 0; }
    if (e instanceof ConfigError) { io.err(`sealink demo: ${e.message}`); return 2; }
    throw e;
  }
  const t0 = Date.now();
  // A signal before the demo is up stops it as soon as it is; a second one exits at once.
  let signalled: string | null = null;
  let wake: () => void = () => {};
  const signal = new Promise<void>((r) => { wake = r; });
  const abort = new AbortController();
  const onSignal = (name: string): void => {
    if (signalled !== null) { io.err(`sealink demo: ${name} again: exiting without a clean stop`); process.exit(130); }
    signalled = name;
    io.out(`\n${name}: stopping: flushing the sensors' queues, checking every reading, closing...`);
    abort.abort();
    wake();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  let demo: Demo | undefined;
  try {
    await ensureCoreBuilt((l) => io.out(l));
    demo = await startDemo(options, io, abort.signal);
    await Promise.race([signal, demo.finished]);
    if (signalled === null) io.out(demo.failures.length > 0 ? 'a sensor failed: stopping...' : `every sensor sealed its ${options.readings} readings: stopping...`);
    const summary = await demo.stop();
    for (const l of summaryLines(summary, Date.now() - t0)) io.out(l);
    return summary.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof DemoError || e instanceof CoreBuildError) { io.err(`sealink demo: ${e.message}`); return 1; }
    throw e;
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}
