// `sealink relay`: run a relay on embedded defaults (see --help). Exit codes:
// 0 clean stop, 1 runtime failure, 2 bad configuration (nothing was changed).

import { readFileSync } from 'node:fs';
import { ConfigError, parseRelayArgs, relayHelp, resolveConfig, type RelayConfig } from '../app/config.ts';
import { KeyFileError } from '../app/keys.ts';
import { createPino, pinoLogger } from '../app/logger.ts';
import { startRelayApp } from '../app/relay.ts';

/** The package version (package.json). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Run `sealink relay argv...`; resolves with the exit code once the relay stopped. */
export async function relayCommand(argv: readonly string[]): Promise<number> {
  let config: RelayConfig;
  try {
    const args = parseRelayArgs(argv);
    if (args.help) { process.stdout.write(relayHelp()); return 0; }
    if (args.version) { process.stdout.write(`sealink ${packageVersion()}\n`); return 0; }
    config = resolveConfig(args);
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`sealink relay: ${e.message}\n`); return 2; }
    throw e;
  }
  const p = createPino(config.logLevel);
  const logger = pinoLogger(p);
  let app;
  try {
    app = await startRelayApp(config, logger);
  } catch (e) {
    const code = e instanceof KeyFileError ? e.code : (e as { code?: string }).code;
    logger.error('relay: failed to start', { code, error: (e as Error).message });
    process.stderr.write(`sealink relay: ${(e as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('relay: signal', { signal });
      app.close().then(() => resolve(0), (e: unknown) => {
        logger.error('relay: shutdown failed', { error: String(e) });
        resolve(1);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
