// Injected logging: components take a Logger and default to silence, so tests
// stay quiet; a CLI passes consoleLogger().

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const nothing = (): void => {};

/** Discards everything. */
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One JSON line per entry on stderr, from `min` up. */
export function consoleLogger(min: (typeof LEVELS)[number] = 'info'): Logger {
  const at = LEVELS.indexOf(min);
  const make = (level: (typeof LEVELS)[number]) =>
    LEVELS.indexOf(level) < at ? nothing : (message: string, fields?: LogFields) =>
      process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, message, ...fields })}\n`);
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}
