// boards/host: the POSIX board HAL and the shared console on their own
// (storage, RNG, clock, sockets, did:key, claim strings, console parsing), then
// the release core built for the host through wasm2c + gcc and run end to end
// against the real relay app (startRelayApp: SQLite store, channel server,
// API) over UDP and over TCP on 127.0.0.1. The owner creates a claim over the
// API; the host board enrolls with the sealink1: string typed at its console
// and seals readings on two feeds there; the owner lists the device and opens
// and verifies every reading with the retrieval client. A restart keeps
// identity and enrollment and continues the stream (seq, epoch chain).
// Needs Debian's wabt and gcc (installed here when missing and running as root).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../support/ensure-debian-tools.ts';
import { findToolchain } from '../../scripts/host-build.ts';
import { inspectWasm } from '../../scripts/wasm-inspect.ts';
import { buildHostBoard, HOST_HAL_SOURCES, PROTOCOL_EXPORTS } from '../../cloud/cli/firmware-host.ts';
import { didFromEd25519, identityFromSeed } from '../../cloud/keys/did.ts';
import { decodeClaimBundle, encodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { createClient } from '../../cloud/client/index.ts';
import { apiUrl, call, newIdentity, startTestRelay } from '../app/support.ts';

ensureDebianPackages(['wabt', 'gcc']);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'build/boards-test/host');
const WASM = join(ROOT, 'build/sealink-core.wasm');
const scratch = mkdtempSync(join(tmpdir(), 'sealink-host-'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
/** Every host process a test starts; killed in finally even when an assertion failed. */
const children = new Set<ChildProcess>();

/** Fails, naming what is missing, when the core lacks the protocol entry points. */
function requireProtocolExports(): void {
  const names = new Set(inspectWasm(new Uint8Array(readFileSync(WASM))).exports.map((e) => e.name));
  const missing = PROTOCOL_EXPORTS.filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new Error(`build/sealink-core.wasm lacks the protocol exports ${missing.join(', ')}: `
      + 'the device protocol is not in the core yet, so the host board cannot run end to end');
  }
}

test('the host HAL and the shared console: storage, RNG, clock, sockets, did:key, claim strings, console parsing', () => {
  const tools = findToolchain();
  mkdirSync(OUT, { recursive: true });
  const exe = join(OUT, 'host_hal_check');
  const cc = spawnSync('gcc', ['-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Werror',
    '-I', join(ROOT, 'hal/c'), '-I', join(ROOT, 'boards/common'), '-I', join(ROOT, 'boards/host'), '-I', tools.headerDir,
    join(ROOT, 'test/boards/host_hal_check.c'), join(ROOT, 'boards/common/sealink_did.c'), join(ROOT, 'boards/common/sealink_console.c'),
    ...HOST_HAL_SOURCES.map((s) => join(ROOT, s)), '-o', exe], { encoding: 'utf8' });
  assert.is(cc.status, 0, cc.stderr);

  const relay = identityFromSeed(random(32));
  const device = identityFromSeed(random(32));
  const claimId = random(8);
  const claimToken = random(16);
  const owner = identityFromSeed(random(32));
  const claim = encodeClaimBundle({ relayDid: relay.did, host: 'relay.example', udpPort: 4000, tcpPort: 4001, claimId, claimToken, ownerDid: owner.did });
  const r = spawnSync(exe, [join(scratch, 'hal-state'), hex(device.ed25519PublicKey), claim], { encoding: 'utf8', timeout: 30_000 });
  const lines = r.stdout.trim().split('\n');
  const failed = lines.filter((l) => l.startsWith('FAIL'));
  assert.equal(failed, [], r.stdout + r.stderr);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(lines.filter((l) => l.startsWith('ok ')).length >= 45, r.stdout);
  assert.ok(lines.includes('ok console: send <text> = reading 1 <text>'), r.stdout);
  assert.is(lines.find((l) => l.startsWith('did '))?.slice(4), didFromEd25519(device.ed25519PublicKey));
  // The device layout of firmware/protocol/conf.ts, TCP chosen (preferred and offered).
  const host = new TextEncoder().encode('relay.example');
  const want = new Uint8Array(93 + host.length);
  want.set([1, 1, 4001 & 0xff, 4001 >> 8]);
  want.set(relay.ed25519PublicKey, 4);
  want.set(claimId, 36);
  want.set(claimToken, 44);
  want.set(owner.ed25519PublicKey, 60);
  want[92] = host.length;
  want.set(host, 93);
  assert.is(lines.find((l) => l.startsWith('bundle '))?.slice(7), hex(want));
});

let binary = '';

test('the release core builds for the host with the board HAL and console (wasm2c + gcc)', () => {
  requireProtocolExports();
  const r = buildHostBoard({ outDir: OUT });
  binary = r.output;
  for (const name of ['hal_clock_now_ms', 'hal_rng_fill', 'hal_storage_get', 'hal_storage_put', 'hal_net_open', 'hal_net_send']) {
    assert.ok(r.imports.includes(name), `the core should import ${name}; it imports ${r.imports.join(', ')}`);
  }
  const help = spawnSync(binary, ['--help'], { encoding: 'utf8' });
  assert.is(help.status, 0);
  assert.match(help.stdout, '--state DIR');
  assert.match(help.stdout, '--console');
});

/** A running sealink-host: its stdout lines as they come, stdin to type into. */
interface Host {
  lines: string[];
  stderr(): string;
  type(line: string): void;
  endInput(): void;
  /** Resolves with the first line (from index `from`) that pred accepts; rejects on exit or after ms. */
  waitLine(pred: (l: string) => boolean, what: string, from?: number, ms?: number): Promise<string>;
  exited: Promise<number | null>;
}

function startHost(args: string[]): Host {
  const p = spawn(binary, [...args, '--exit-when-idle', '--timeout', '20000'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(p);
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of [...waiters]) w(); };
  p.stdout!.on('data', (d) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    wake();
  });
  p.stderr!.on('data', (d) => { err += d; });
  p.stdin!.on('error', () => {}); // EPIPE after an early exit: the exit code tells
  const guard = setTimeout(() => p.kill('SIGKILL'), 30_000);
  let done = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(guard);
      children.delete(p);
      if (partial) lines.push(partial);
      done = true;
      wake();
      resolve(code);
    });
  });
  const dump = () => `stdout:\n${lines.join('\n')}\nstderr:\n${err}`;
  return {
    lines,
    stderr: () => err,
    type: (line) => { p.stdin!.write(`${line}\n`); },
    endInput: () => { p.stdin!.end(); },
    exited,
    waitLine(pred, what, from = 0, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what}\n${dump()}`)); }, ms);
        function check(): void {
          const hit = lines.slice(from).find(pred);
          if (hit !== undefined || done) {
            clearTimeout(timer);
            waiters.delete(check);
            if (hit !== undefined) resolve(hit);
            else reject(new Error(`sealink-host exited before ${what}\n${dump()}`));
          }
        }
        waiters.add(check);
        check();
      });
    },
  };
}

/** Types a console line that seals a reading of feed and waits for the answer; returns the seq it printed. */
async function typeReading(h: Host, line: string, feed: number): Promise<bigint> {
  const from = h.lines.length;
  h.type(line);
  const answer = await h.waitLine((l) => l.startsWith('sealink: reading '), `the answer to ${line}`, from);
  const m = /^sealink: reading ok feed (\d+) seq (\d+)$/.exec(answer);
  assert.ok(m && Number(m[1]) === feed, answer);
  return BigInt(m![2]);
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`end to end over ${transport.toUpperCase()} with the relay app: console enroll, sealed readings on two feeds, the owner opens them; a restart continues the stream`, async () => {
    requireProtocolExports();
    assert.ok(binary, 'the host build failed (previous test)');
    const dir = join(scratch, `e2e-${transport}`);
    const owner = newIdentity();
    const app = await startTestRelay(join(dir, 'relay'), [owner]);
    try {
      // The owner's claim: over the API with the owner's JWT; the string names the owner.
      const c = await call(app, 'POST', '/v1/claims', owner, {});
      assert.is(c.status, 201, JSON.stringify(c.json));
      const claim: string = c.json.bundle;
      const decoded = decodeClaimBundle(claim);
      assert.is(decoded.ownerDid, owner.did);
      assert.ok(decoded.udpPort && decoded.tcpPort, 'the relay offers both transports');

      // First boot: enroll and seal at the console.
      const state = join(dir, 'device');
      const first = startHost(['--state', state, '--console']);
      const pub = (await first.waitLine((l) => l.startsWith('public-key '), 'the public key')).slice(11);
      const did = didFromEd25519(Uint8Array.from(Buffer.from(pub, 'hex')));
      first.type(`enroll ${claim}${transport === 'tcp' ? ' tcp' : ''}`);
      await first.waitLine((l) => l === 'sealink: enroll ok', 'enroll ok');
      await first.waitLine((l) => l === 'state established', 'the session');
      const expected: { feed: number; text: string; seq: bigint }[] = [];
      const plan: [number, string][] = [[1, '21.5 C'], [2, 'door open'], [1, '21.7 C'], [2, 'door closed'], [1, '22.0 C'], [1, `é ${transport}`]];
      for (const [feed, text] of plan) expected.push({ feed, text, seq: await typeReading(first, `reading ${feed} ${text}`, feed) });
      expected.push({ feed: 1, text: 'via send', seq: await typeReading(first, 'send via send', 1) });
      first.endInput();
      assert.is(await first.exited, 0, `${first.lines.join('\n')}\n${first.stderr()}`);
      assert.ok(first.lines.includes('exit idle'), first.lines.join('\n'));
      assert.equal(expected.map((e) => e.seq), expected.map((_, i) => BigInt(i + 1)), 'sequence numbers 1.. across both feeds');

      // The owner: the device is listed; every reading opens, verified, exactly once.
      const client = createClient({ baseUrl: apiUrl(app, ''), ownerSeed: owner.seed });
      const devices = await client.listDevices();
      assert.equal(devices.map((d) => [d.did, d.revoked]), [[did, false]]);
      const check = async (what: string) => {
        const r = await client.readings({ device: did });
        const got = r.readings.map((x) => ({ feed: x.feed, text: new TextDecoder().decode(x.payload), seq: x.seq }));
        assert.equal(got, expected, `${what}: every reading exactly once, in order`);
        const newest = Math.max(...r.readings.map((x) => x.epoch));
        assert.equal(r.issues.map((i) => [i.kind, i.epoch]), [['open', newest]], `${what}: ${JSON.stringify(r.issues, (_k, v) => typeof v === 'bigint' ? String(v) : v)}`);
        const feed2 = await client.readings({ device: did, feed: 2 });
        assert.equal(feed2.readings.map((x) => new TextDecoder().decode(x.payload)), expected.filter((e) => e.feed === 2).map((e) => e.text));
        return r;
      };
      const before = await check('first boot');
      const firstEpoch = before.readings[0].epoch;

      // Restart: same storage, no claim; readings from the command line this time.
      const second = startHost(['--state', state, '--reading', '2:window open', '--send', '22.4 C', '--reading', '1:22.6 C']);
      assert.is(await second.exited, 0, `${second.lines.join('\n')}\n${second.stderr()}`);
      assert.ok(second.lines.includes(`public-key ${pub}`), 'the identity survives a restart');
      assert.ok(second.lines.includes('state established') && second.lines.includes('exit idle'), second.lines.join('\n'));
      assert.not.ok(second.lines.some((l) => l.startsWith('reading-failed')), second.lines.join('\n'));
      let seq = BigInt(expected.length);
      for (const [feed, text] of [[2, 'window open'], [1, '22.4 C'], [1, '22.6 C']] as const) expected.push({ feed, text, seq: ++seq });
      // The epoch open before the restart was closed (signed) and the next opened:
      // only the newest epoch is still open, and no reading is missing.
      const after = await check('after the restart');
      assert.ok(after.readings.at(-1)!.epoch > firstEpoch, 'a reboot ends the epoch whose key lived in RAM');
      assert.equal((await client.listDevices()).map((d) => d.did), [did], 'one device: the restart did not enroll again');
    } finally {
      for (const p of children) p.kill('SIGKILL');
      await app.close();
    }
  });
}

test('a claim string the device cannot use is refused with a clear message', async () => {
  assert.ok(binary, 'the host build failed (previous test)');
  const bad = join(scratch, 'bad.claim');
  writeFileSync(bad, 'sealink1:AQ\n');
  const h = startHost(['--state', join(scratch, 'bad-state'), '--enroll', bad]);
  assert.is(await h.exited, 1);
  assert.match(h.stderr(), 'not a valid sealink1: claim');
});

test('readings need an enrollment: without one the host says so instead of waiting', async () => {
  assert.ok(binary, 'the host build failed (previous test)');
  const h = startHost(['--state', join(scratch, 'unenrolled-state'), '--reading', '1:x']);
  assert.is(await h.exited, 1);
  assert.match(h.stderr(), 'not enrolled');
});

test.after(() => {
  for (const p of children) p.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

test.run();
