// `sealink demo` as a user runs it, in a child process: bounded (--readings),
// in a temp data dir with free ports and a temp owner key. Its output shows
// every reading decrypted and verified, once, and the summary says so. Also
// --help, a bad flag (exit 2, nothing created), Ctrl-C (SIGINT: a graceful
// stop with a summary) and the status lines the owner's side (follow.ts) makes
// of the client's live-feed callbacks.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../cloud/app/config.ts';
import type { Client, LiveOptions, VerifiedReading } from '../../cloud/client/index.ts';
import { follow } from '../../cloud/demo/follow.ts';
import { parseDemoArgs } from '../../cloud/demo/options.ts';
import { BIN, newIdentity, tempDir, waitFor } from './support.ts';

const READING_LINE = /^(sensor-\d+)\s+(z6Mk…\S+)\s+feed ([12]) (temperature|humidity)\s+seq\s+(\d+)\s+(-?\d+(?:\.\d+)?) (°C|%)\s+latency \d+ ms/;

function demoArgs(dir: string, extra: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [BIN, 'demo', '--data-dir', join(dir, 'data'), '--udp-port', '0', '--tcp-port', '0', '--api-port', '0', ...extra],
    env: { ...process.env, SEALINK_OWNER_KEY: join(dir, 'owner.json'), SEALINK_LOG_LEVEL: '' },
  };
}

/** The demo in a child process, its output collected as it comes. */
function spawnDemo(dir: string, extra: string[]): { child: ChildProcess; out(): string; err(): string; exited: Promise<number | null> } {
  const { args, env } = demoArgs(dir, extra);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { child, out: () => out, err: () => err, exited };
}

test('sealink demo --readings 5 --sensors 2: every reading printed once, decrypted and verified; exit 0', async () => {
  const tmp = tempDir('demo');
  const demo = spawnDemo(tmp.dir, ['--readings', '5', '--sensors', '2', '--interval-ms', '100']);
  const { child, exited } = demo;
  try {
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 45_000).unref());
    const code = await Promise.race([exited, timeout]);
    const out = demo.out();
    const err = demo.err();
    assert.is.not(code, 'timeout', `demo did not finish:\n${out}\n${err}`);
    assert.is(code, 0, `exit code\n${out}\n${err}`);

    const lines = out.split('\n');
    assert.ok(lines.some((l) => l.startsWith('sealink demo:')), 'banner');
    assert.ok(lines.some((l) => /^sensor-1 .*enrolling over UDP/.test(l)), 'sensor-1 enrolls over UDP');
    assert.ok(lines.some((l) => /^sensor-2 .*enrolling over TCP/.test(l)), 'sensor-2 enrolls over TCP (--transport both)');
    assert.is(lines.filter((l) => /session up/.test(l)).length, 2);

    const readings = lines.map((l) => READING_LINE.exec(l)).filter((m) => m !== null);
    const seen = new Map<string, string[]>();
    for (const m of readings) {
      const [, sensor, , feed, name, seq, value, unit] = m!;
      assert.is(feed === '1' ? 'temperature' : 'humidity', name);
      assert.is(feed === '1' ? '°C' : '%', unit);
      const v = Number(value);
      assert.ok(feed === '1' ? v > 10 && v < 35 : v > 15 && v < 85, `plausible ${name}: ${v}`);
      seen.set(sensor, [...(seen.get(sensor) ?? []), seq]);
    }
    assert.equal([...seen.keys()].sort(), ['sensor-1', 'sensor-2']);
    for (const [sensor, seqs] of seen) assert.equal(seqs.map(Number).sort((a, b) => a - b), [1, 2, 3, 4, 5], `${sensor}: seq 1..5 once each`);

    assert.match(out, /sealed by the sensors' cores\s+10\b/);
    assert.match(out, /stored by the relay \(durable\)\s+10\b/);
    assert.match(out, /decrypted by the owner\s+10\b/);
    assert.match(out, /verified end to end\s+10\b/);
    assert.match(out, /^ok: every reading sealed was stored, decrypted and verified$/m);
    assert.not.match(out, /ISSUES|NOT OK|RELAY MISBEHAVIOUR/);

    // The owner key was created like `sealink owner init` does: 0600.
    assert.is(statSync(join(tmp.dir, 'owner.json')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(tmp.dir, 'data', 'sealink.db')), 'the relay\'s database is in the data dir');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    tmp.remove();
  }
});

test('sealink demo: SIGINT stops it gracefully with a summary', async () => {
  const tmp = tempDir('demo-sigint');
  const demo = spawnDemo(tmp.dir, ['--sensors', '1', '--interval-ms', '100', '--transport', 'tcp']);
  const { child, exited } = demo;
  try {
    await waitFor(() => demo.out().split('\n').filter((l) => READING_LINE.test(l)).length >= 4, 30_000,
      () => `readings:\n${demo.out()}\n${demo.err()}`);
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
    const out = demo.out();
    const err = demo.err();
    assert.is(code, 0, `exit after SIGINT\n${out}\n${err}`);
    assert.match(out, /SIGINT: stopping/);
    const m = /decrypted by the owner\s+(\d+)/.exec(out);
    const s = /sealed by the sensors' cores\s+(\d+)/.exec(out);
    assert.ok(m && s && Number(m[1]) >= 4 && m[1] === s[1], `summary:\n${out}`);
    assert.match(out, /^ok: /m);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    tmp.remove();
  }
});

test('sealink demo --help; a bad flag exits 2 and creates nothing', () => {
  const h = spawnSync(process.execPath, [BIN, 'demo', '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(h.status, 0);
  assert.match(h.stdout, /usage: sealink demo/);
  assert.match(h.stdout, /--readings <n>/);
  assert.match(h.stdout, /--data-dir/);
  const tmp = tempDir('demo-bad');
  try {
    const { args, env } = demoArgs(tmp.dir, ['--sensors', '0']);
    const b = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000, env });
    assert.is(b.status, 2);
    assert.match(b.stderr, /sensors \(from flag --sensors\): expected an integer 1\.\.32/);
    const t = spawnSync(process.execPath, demoArgs(tmp.dir, ['--transport', 'carrier-pigeon']).args, { encoding: 'utf8', timeout: 30_000, env });
    assert.is(t.status, 2);
    assert.match(t.stderr, /transport/);
    assert.not.ok(existsSync(join(tmp.dir, 'data')), 'no data dir');
    assert.not.ok(existsSync(join(tmp.dir, 'owner.json')), 'no owner key');
  } finally {
    tmp.remove();
  }
});

test('demo options: its own flags, every relay flag, loopback and quiet unless told otherwise', () => {
  const env = { XDG_CONFIG_HOME: '/nonexistent/cfg' };
  const d = parseDemoArgs([], env);
  assert.equal({ sensors: d.sensors, intervalMs: d.intervalMs, transport: d.transport, readings: d.readings }, { sensors: 3, intervalMs: 1000, transport: 'both', readings: undefined });
  assert.equal({ dataDir: d.relay.dataDir, host: d.relay.host, apiHost: d.relay.apiHost, logLevel: d.relay.logLevel, udp: d.relay.udpPort, api: d.relay.apiPort },
    { dataDir: './data', host: '127.0.0.1', apiHost: '127.0.0.1', logLevel: 'warn', udp: 7410, api: 7411 }, 'relay defaults, demo-style binds');
  assert.is(d.ownerKey, '/nonexistent/cfg/sealink/owner.json', 'the owner key where `sealink owner init` puts it');
  const owner = newIdentity().did;
  const o = parseDemoArgs(['--sensors', '5', '--data-dir', '/tmp/x', '--readings=7', '--owner', owner, '--transport', 'tcp', '--host', '0.0.0.0', '--key', '/tmp/k.json'], env);
  assert.equal([o.sensors, o.readings, o.transport, o.ownerKey, o.relay.dataDir, o.relay.host, o.relay.apiHost, o.relay.owners],
    [5, 7, 'tcp', '/tmp/k.json', '/tmp/x', '0.0.0.0', '127.0.0.1', [owner]]);
  assert.is(parseDemoArgs([], { ...env, SEALINK_API_HOST: '0.0.0.0', SEALINK_LOG_LEVEL: 'debug' }).relay.apiHost, '0.0.0.0', 'env chooses');
  assert.is(parseDemoArgs([], { ...env, SEALINK_LOG_LEVEL: 'debug' }).relay.logLevel, 'debug');
  for (const bad of [['--sensors', '33'], ['--interval-ms', '10'], ['--readings', '0'], ['--transport', 'x'], ['--nope', '1'], ['--sensors'], ['--udp-port', 'x']]) {
    assert.throws(() => parseDemoArgs(bad, env), (e: unknown) => e instanceof ConfigError, bad.join(' '));
  }
});

test('demo follow(): the client\'s live feed as is; status lines for lost and resumed feeds, none for token renewals', async () => {
  const calls: { device: string; onReading: (r: VerifiedReading) => void; options: LiveOptions; closed: number }[] = [];
  const client = {
    live(device: string, onReading: (r: VerifiedReading) => void, options: LiveOptions = {}) {
      const c = { device, onReading, options, closed: 0 };
      calls.push(c);
      return { close: () => { c.closed++; } };
    },
  } as unknown as Client;
  const did = newIdentity().did;
  const seen: string[] = [];
  const opening = follow(client, did, {
    since: 1234,
    onReading: (r) => seen.push(`reading ${r.seq}`),
    onIssue: (i) => seen.push(`issue ${i.kind}`),
    onStatus: (l) => seen.push(`status ${l}`),
    onError: (m) => seen.push(`error ${m}`),
  });
  assert.is(calls.length, 1, 'one live feed per device');
  const [c] = calls;
  assert.is(c.device, did);
  assert.is(c.options.since, 1234, 'since is passed to the client');
  assert.ok(c.options.reconnect, 'the client reconnects');
  let resolved = false;
  void opening.then(() => { resolved = true; });
  await new Promise((r) => setTimeout(r, 10));
  assert.not.ok(resolved, 'follow() waits for the first socket');
  c.options.onOpen!();
  const feed = await opening;
  assert.is(feed.delivered, 0);
  const reading = (seq: bigint) => ({ seq, epoch: 1, feed: 1, payload: new Uint8Array(0) }) as unknown as VerifiedReading;
  c.onReading(reading(1n));
  c.onReading(reading(2n));
  assert.is(feed.delivered, 2);
  // A token renewal: closed with 4001, reopened at once; nothing to tell.
  c.options.onClose!({ code: 4001, reason: 'token expired', retryInMs: 0 });
  c.options.onOpen!();
  assert.equal(seen, ['reading 1', 'reading 2']);
  // A lost socket, then back.
  c.options.onClose!({ code: 1006, reason: '', retryInMs: 250 });
  c.options.onOpen!();
  c.onReading(reading(3n));
  c.options.onIssue!({ kind: 'gap', detail: 'x' } as never);
  c.options.onError!(new Error('fetch failed'));
  c.options.onClose!({ code: 1006, reason: '', retryInMs: null });
  assert.equal(seen.slice(2), [
    'status owner\'s live feed closed (1006); the client reconnects in 250 ms',
    'status owner\'s live feed back; the client fetches (verified) what was stored meanwhile',
    'reading 3', 'issue gap', 'error fetch failed',
    'status owner\'s live feed closed (1006) for good',
  ]);
  assert.is(feed.delivered, 3);
  feed.close();
  assert.is(c.closed, 1, 'close() closes the client\'s feed');
});

test.run();
