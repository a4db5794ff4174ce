// `sealink demo` options: its own flags, and every `sealink relay` flag (same
// env variables and config file) for the relay it starts. Differences from
// `sealink relay`'s defaults, because this is a demo on one machine: the
// listeners bind 127.0.0.1 and the relay logs warnings only, to stderr, unless
// a flag or env variable says otherwise.

import { ConfigError, FIELDS, parseRelayArgs, relayHelp, resolveConfig, type RelayConfig } from '../app/config.ts';
import { defaultOwnerKeyPath } from '../app/owner-key.ts';
import type { Transport } from '../sim/claim.ts';

export type TransportChoice = Transport | 'both';

export interface DemoOptions {
  /** Number of simulated sensors. */
  sensors: number;
  /** Time between a sensor's samples (one reading on each feed), ms. */
  intervalMs: number;
  /** 'both': sensors alternate UDP, TCP. */
  transport: TransportChoice;
  /** Stop after this many readings per sensor (undefined: run until Ctrl-C). */
  readings?: number;
  /** The owner's key file (created if missing). */
  ownerKey: string;
  relay: RelayConfig;
}

export const SENSORS_MAX = 32;

interface DemoFlag { flag: string; arg: string; help: string }
const DEMO_FLAGS: readonly DemoFlag[] = [
  { flag: 'sensors', arg: '<n>', help: `simulated sensors, 1..${SENSORS_MAX} (default 3)` },
  { flag: 'interval-ms', arg: '<ms>', help: 'time between a sensor\'s samples, 50..3600000 (default 1000)' },
  { flag: 'transport', arg: 'udp|tcp|both', help: 'how new sensors reach the relay (default both: they alternate)' },
  { flag: 'readings', arg: '<n>', help: 'stop after n readings per sensor (default: run until Ctrl-C)' },
  { flag: 'key', arg: '<file>', help: 'the owner key file, created if missing (default $SEALINK_OWNER_KEY or ~/.config/sealink/owner.json)' },
];

export class DemoHelp extends Error {
  constructor() { super('help'); this.name = 'DemoHelp'; }
}

function int(flag: string, v: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(v) || Number(v) < min || Number(v) > max) throw new ConfigError(flag, `flag --${flag}`, `expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Parses the demo's command line; throws DemoHelp for --help and ConfigError for anything wrong. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoOptions {
  const own = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') throw new DemoHelp();
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const f = m === null ? undefined : DEMO_FLAGS.find((d) => d.flag === m[1]);
    if (f === undefined) {
      rest.push(a);
      // A relay flag's value (never a demo flag) follows it.
      if (m !== null && m[2] === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) rest.push(argv[++i]);
      continue;
    }
    let v = m![2];
    if (v === undefined) {
      v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(f.flag, `flag --${f.flag}`, 'missing value');
    }
    own.set(f.flag, v);
  }
  const args = parseRelayArgs(rest);
  if (args.help) throw new DemoHelp();
  if (args.version) throw new ConfigError('version', 'command line', 'use `sealink relay --version`');
  const relay = resolveConfig(args, env);
  // Demo defaults where neither a flag nor the env chose: loopback, quiet relay.
  const chosen = (key: keyof RelayConfig) => args.values.has(key) || (env[FIELDS.find((x) => x.key === key)!.env] ?? '') !== '';
  if (!chosen('host')) relay.host = '127.0.0.1';
  if (!chosen('apiHost')) relay.apiHost = '127.0.0.1';
  if (!chosen('logLevel')) relay.logLevel = 'warn';

  const transport = own.get('transport') ?? 'both';
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'both') {
    throw new ConfigError('transport', 'flag --transport', `expected udp, tcp or both, got ${JSON.stringify(transport)}`);
  }
  const readings = own.get('readings');
  return {
    sensors: own.has('sensors') ? int('sensors', own.get('sensors')!, 1, SENSORS_MAX) : 3,
    intervalMs: own.has('interval-ms') ? int('interval-ms', own.get('interval-ms')!, 50, 3_600_000) : 1000,
    transport,
    readings: readings === undefined ? undefined : int('readings', readings, 1, 1_000_000),
    ownerKey: own.get('key') ?? defaultOwnerKeyPath(env),
    relay,
  };
}

/** The --help text. */
export function demoHelp(): string {
  const relayFlags = relayHelp().split('\n').filter((l) => l.startsWith('  --') && !l.includes('--help'));
  return [
    'usage: sealink demo [options]',
    '',
    'Runs sealink\'s whole main job on this machine: a relay on embedded defaults, the',
    'owner\'s key, simulated sensors (the real core, build/sealink-core.wasm, on a',
    'simulated board with real sockets) enrolled with one-time claims, and their',
    'readings printed as they arrive, decrypted with the owner\'s key and verified.',
    'Ctrl-C stops everything gracefully and prints a summary.',
    '',
    'Demo options:',
    ...DEMO_FLAGS.map((d) => `  --${`${d.flag} ${d.arg}`.padEnd(24)} ${d.help}`),
    '',
    'Relay options (as `sealink relay`; the demo binds 127.0.0.1 and logs warnings',
    'to stderr unless --host/--api-host/--log-level or their env variables are set):',
    ...relayFlags,
    '',
    'Everything lives in the data dir (default ./data): relay keys, the encrypted',
    'database and the sensors\' storage; run again to continue, remove it to start over.',
    '',
  ].join('\n');
}
