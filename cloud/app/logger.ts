// Structured logs with pino (one JSON line per entry on stdout), adapted to the
// project's Logger interface (cloud/util/log.ts) that the channel layer takes.

import pino from 'pino';
import type { Logger } from '../util/log.ts';
import type { LogLevel } from './config.ts';

/** A pino logger at `level` writing to `destination` (default stdout, synchronous so nothing is lost at exit). */
export function createPino(level: LogLevel, destination: number = 1): pino.Logger {
  return pino({ level, base: { app: 'sealink-relay' } }, pino.destination({ dest: destination, sync: true }));
}

/** The project Logger over a pino logger. */
export function pinoLogger(p: pino.Logger): Logger {
  return {
    debug: (m, f) => p.debug(f ?? {}, m),
    info: (m, f) => p.info(f ?? {}, m),
    warn: (m, f) => p.warn(f ?? {}, m),
    error: (m, f) => p.error(f ?? {}, m),
  };
}
