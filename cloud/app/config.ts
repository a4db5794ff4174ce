// Relay configuration: defaults < config file (--config / SEALINK_CONFIG) < env
// (SEALINK_*) < flags. Every source is validated in full before anything on
// disk changes; an error names the field and the source that set it.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ed25519FromDid } from '../keys/did.ts';

/** The relay's configuration after merging and validation. */
export interface RelayConfig {
  /** Directory for the database and key files (created 0700 on first run). */
  dataDir: string;
  /** Bind address of the UDP and TCP device listeners. */
  host: string;
  udpPort: number;
  tcpPort: number;
  /** Bind address and port of the HTTP + WebSocket API. */
  apiHost: string;
  apiPort: number;
  /** Host name put into claim bundles (what devices dial); default: the host of the claim request. */
  publicHost?: string;
  /** did:key of every owner allowed to use this relay. */
  owners: string[];
  /** Lifetime of a new claim, seconds (protocol §3 CLAIM_LIFETIME: 900). */
  claimLifetimeSec: number;
  logLevel: LogLevel;
  /** Store group commit: longest wait before a batch commits, ms. */
  commitDelayMs: number;
  /** 'full': durable on power loss (default); 'normal': on process crash only. */
  synchronous: 'full' | 'normal';
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_CONFIG: Readonly<RelayConfig> = Object.freeze({
  dataDir: './data',
  host: '0.0.0.0',
  udpPort: 7410,
  tcpPort: 7410,
  apiHost: '0.0.0.0',
  apiPort: 7411,
  owners: [],
  claimLifetimeSec: 900,
  logLevel: 'info',
  commitDelayMs: 2,
  synchronous: 'full',
});

/** A bad configuration value. `field` is the config key; `source` says where it came from. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly field: string, readonly source: string, problem: string) {
    super(`config: ${field} (from ${source}): ${problem}`);
    this.name = 'ConfigError';
  }
}

type Kind = 'string' | 'port' | 'host' | 'uint' | 'dids' | 'level' | 'sync';

interface Field {
  key: keyof RelayConfig;
  kind: Kind;
  env: string;
  flag: string;
  help: string;
  max?: number;
  min?: number;
}

/** Every config key with its env variable and flag (the --help text is built from this). */
export const FIELDS: readonly Field[] = [
  { key: 'dataDir', kind: 'string', env: 'SEALINK_DATA_DIR', flag: 'data-dir', help: 'database and key files' },
  { key: 'host', kind: 'host', env: 'SEALINK_HOST', flag: 'host', help: 'bind address of the device listeners' },
  { key: 'udpPort', kind: 'port', env: 'SEALINK_UDP_PORT', flag: 'udp-port', help: 'UDP device port (0: any free)' },
  { key: 'tcpPort', kind: 'port', env: 'SEALINK_TCP_PORT', flag: 'tcp-port', help: 'TCP device port (0: any free)' },
  { key: 'apiHost', kind: 'host', env: 'SEALINK_API_HOST', flag: 'api-host', help: 'bind address of the HTTP/WebSocket API' },
  { key: 'apiPort', kind: 'port', env: 'SEALINK_API_PORT', flag: 'api-port', help: 'API port (0: any free)' },
  { key: 'publicHost', kind: 'string', env: 'SEALINK_PUBLIC_HOST', flag: 'public-host', help: 'host devices dial (in claim bundles)' },
  { key: 'owners', kind: 'dids', env: 'SEALINK_OWNERS', flag: 'owner', help: 'owner did:key allowed to use the relay (repeat, or comma-separated)' },
  { key: 'claimLifetimeSec', kind: 'uint', env: 'SEALINK_CLAIM_LIFETIME_SEC', flag: 'claim-lifetime-sec', help: 'claim lifetime, s', min: 10, max: 86400 },
  { key: 'logLevel', kind: 'level', env: 'SEALINK_LOG_LEVEL', flag: 'log-level', help: LOG_LEVELS.join('|') },
  { key: 'commitDelayMs', kind: 'uint', env: 'SEALINK_COMMIT_DELAY_MS', flag: 'commit-delay-ms', help: 'store group-commit delay, ms', min: 0, max: 1000 },
  { key: 'synchronous', kind: 'sync', env: 'SEALINK_SYNCHRONOUS', flag: 'synchronous', help: 'full|normal' },
];

const HOSTNAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** True for a DNS host name or an IP literal. */
export function isHost(s: string): boolean {
  return isIP(s) !== 0 || HOSTNAME.test(s);
}

function isDid(s: string): boolean {
  try { ed25519FromDid(s); return true; } catch { return false; }
}

/** Validate one value; `fromText` when it came as a string (env, flag) and needs parsing. */
function check(f: Field, raw: unknown, source: string, fromText: boolean): unknown {
  const bad = (problem: string): never => { throw new ConfigError(f.key, source, problem); };
  const shown = JSON.stringify(raw)?.slice(0, 80);
  switch (f.kind) {
    case 'string':
      if (typeof raw !== 'string' || raw.length === 0) bad(`expected a non-empty string, got ${shown}`);
      if (f.key === 'publicHost' && !isHost(raw as string)) bad(`expected a host name or IP address, got ${shown}`);
      return raw;
    case 'host':
      if (typeof raw !== 'string' || !isHost(raw)) bad(`expected a host name or IP address, got ${shown}`);
      return raw;
    case 'port':
    case 'uint': {
      let n = raw;
      if (fromText && typeof raw === 'string' && /^\d{1,10}$/.test(raw)) n = Number(raw);
      const min = f.kind === 'port' ? 0 : (f.min ?? 0);
      const max = f.kind === 'port' ? 65535 : (f.max ?? Number.MAX_SAFE_INTEGER);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) bad(`expected an integer ${min}..${max}, got ${shown}`);
      return n;
    }
    case 'dids': {
      let list = raw;
      if (fromText && typeof raw === 'string') list = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (!Array.isArray(list)) bad(`expected a list of did:key strings, got ${shown}`);
      for (const d of list as unknown[]) if (typeof d !== 'string' || !isDid(d)) bad(`not an Ed25519 did:key: ${JSON.stringify(d)?.slice(0, 80)}`);
      return [...new Set(list as string[])];
    }
    case 'level':
      if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw)) bad(`expected one of ${LOG_LEVELS.join(', ')}, got ${shown}`);
      return raw;
    case 'sync':
      if (raw !== 'full' && raw !== 'normal') bad(`expected "full" or "normal", got ${shown}`);
      return raw;
  }
}

/** Parsed command line of `sealink relay`. */
export interface RelayArgs {
  help: boolean;
  version: boolean;
  config?: string;
  /** Flag values by config key (owners collect every --owner). */
  values: Map<keyof RelayConfig, string | string[]>;
}

/** Parse `--flag value` / `--flag=value`; throws ConfigError for an unknown flag or a missing value. */
export function parseRelayArgs(argv: readonly string[]): RelayArgs {
  const out: RelayArgs = { help: false, version: false, values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { out.help = true; continue; }
    if (a === '--version' || a === '-v') { out.version = true; continue; }
    if (!a.startsWith('--')) throw new ConfigError('(arguments)', 'command line', `unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(name, `flag --${name}`, 'missing value');
      i++;
    }
    if (name === 'config') { out.config = value; continue; }
    const f = FIELDS.find((x) => x.flag === name);
    if (f === undefined) throw new ConfigError(name, 'command line', `unknown flag --${name} (see --help)`);
    if (f.kind === 'dids') {
      const prev = (out.values.get(f.key) as string[] | undefined) ?? [];
      out.values.set(f.key, [...prev, ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)]);
    } else {
      out.values.set(f.key, value);
    }
  }
  return out;
}

/**
 * Merge defaults, the config file, env and flags (in rising precedence) and validate.
 * Reads the config file only; changes nothing anywhere. Throws ConfigError.
 */
export function resolveConfig(args: RelayArgs, env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const cfg: Record<string, unknown> = { ...DEFAULT_CONFIG, owners: [...DEFAULT_CONFIG.owners] };
  const path = args.config ?? env.SEALINK_CONFIG;
  if (path !== undefined && path !== '') {
    const source = `config file ${path}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError('config', source, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('config', source, 'expected a JSON object');
    for (const [k, v] of Object.entries(parsed)) {
      if (k === '$schema') continue;
      const f = FIELDS.find((x) => x.key === k);
      if (f === undefined) throw new ConfigError(k, source, `unknown key (known: ${FIELDS.map((x) => x.key).join(', ')})`);
      cfg[k] = check(f, v, source, false);
    }
  }
  for (const f of FIELDS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') cfg[f.key] = check(f, v, `env ${f.env}`, true);
  }
  for (const f of FIELDS) {
    const v = args.values.get(f.key);
    if (v !== undefined) cfg[f.key] = check(f, v, `flag --${f.flag}`, !Array.isArray(v));
  }
  return cfg as unknown as RelayConfig;
}

/** The --help text of `sealink relay`. */
export function relayHelp(): string {
  const rows = FIELDS.map((f) => {
    const def = (DEFAULT_CONFIG as Record<string, unknown>)[f.key];
    const d = def === undefined || (Array.isArray(def) && def.length === 0) ? '' : ` (default ${JSON.stringify(def)})`;
    return `  --${f.flag.padEnd(20)} ${f.env.padEnd(28)} ${f.key}: ${f.help}${d}`;
  });
  return [
    'usage: sealink relay [options]',
    '',
    'Runs a sealink relay: UDP/TCP device listeners, the HTTP + WebSocket API, an',
    'embedded encrypted SQLite store. Keys are generated into the data dir on first run.',
    'Precedence: flags > env > config file > defaults.',
    '',
    '  --config <file>        SEALINK_CONFIG               JSON file with the keys below',
    ...rows,
    '  --help, --version',
    '',
  ].join('\n');
}
