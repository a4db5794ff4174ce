// boards/host: the POSIX board HAL on its own (storage, RNG, clock, sockets,
// did:key, claim strings), then the release core built for the host through
// wasm2c + gcc and run end to end against the relay (startChannelServer) over
// UDP and over TCP on 127.0.0.1: enroll with the owner's claim string, send
// DATA, the relay's onData receives it; a restart keeps identity and enrollment.
// Needs Debian's wabt and gcc (installed here when missing and running as root).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../support/ensure-debian-tools.ts';
import { findToolchain } from '../../scripts/host-build.ts';
import { inspectWasm } from '../../scripts/wasm-inspect.ts';
import { buildHostBoard, HOST_SOURCES, PROTOCOL_EXPORTS } from '../../cloud/cli/firmware-host.ts';
import { didFromEd25519, identityFromSeed } from '../../cloud/keys/did.ts';
import { createClaim, MemoryRegistry, startChannelServer, type ChannelServer } from '../../cloud/relay/index.ts';
import { encodeClaimBundle } from '../../cloud/app/claim-bundle.ts';

ensureDebianPackages(['wabt', 'gcc']);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'build/boards-test/host');
const WASM = join(ROOT, 'build/sealink-core.wasm');
const scratch = mkdtempSync(join(tmpdir(), 'sealink-host-'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** Fails, naming what is missing, when the core lacks the protocol entry points. */
function requireProtocolExports(): void {
  const names = new Set(inspectWasm(new Uint8Array(readFileSync(WASM))).exports.map((e) => e.name));
  const missing = PROTOCOL_EXPORTS.filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new Error(`build/sealink-core.wasm lacks the protocol exports ${missing.join(', ')}: `
      + 'the device protocol is not in the core yet, so the host board cannot run end to end');
  }
}

test('the host HAL: storage, RNG, clock, sockets, did:key and claim strings', () => {
  const tools = findToolchain();
  mkdirSync(OUT, { recursive: true });
  const exe = join(OUT, 'host_hal_check');
  const boardFiles = HOST_SOURCES.filter((s) => !s.endsWith('/main.c')).map((s) => join(ROOT, s));
  const cc = spawnSync('gcc', ['-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Werror',
    '-I', join(ROOT, 'hal/c'), '-I', join(ROOT, 'boards/common'), '-I', join(ROOT, 'boards/host'), '-I', tools.headerDir,
    join(ROOT, 'test/boards/host_hal_check.c'), join(ROOT, 'boards/common/sealink_did.c'), ...boardFiles, '-o', exe], { encoding: 'utf8' });
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
  assert.ok(lines.filter((l) => l.startsWith('ok ')).length >= 30, r.stdout);
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

test('the release core builds for the host with the board HAL (wasm2c + gcc)', () => {
  requireProtocolExports();
  const r = buildHostBoard({ outDir: OUT });
  binary = r.output;
  for (const name of ['hal_clock_now_ms', 'hal_rng_fill', 'hal_storage_get', 'hal_storage_put', 'hal_net_open', 'hal_net_send']) {
    assert.ok(r.imports.includes(name), `the core should import ${name}; it imports ${r.imports.join(', ')}`);
  }
  const help = spawnSync(binary, ['--help'], { encoding: 'utf8' });
  assert.is(help.status, 0);
  assert.match(help.stdout, '--state DIR');
});

interface Run { code: number | null; lines: string[]; stderr: string }

/** Runs sealink-host to completion (it exits by itself: --exit-when-idle, --timeout). */
function runHost(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, [...args, '--exit-when-idle', '--timeout', '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const guard = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code) => { clearTimeout(guard); resolve({ code, lines: out.trim().split('\n'), stderr: err }); });
  });
}

interface TestRelay { server: ChannelServer; registry: MemoryRegistry; relayDid: string; got: { did: string; text: string }[] }

async function startRelay(): Promise<TestRelay> {
  const identity = identityFromSeed(random(32));
  const registry = new MemoryRegistry();
  const got: TestRelay['got'] = [];
  const server = await startChannelServer({
    staticSecret: identity.x25519Secret, admissionKey: random(32), registry,
    onData: (did, bytes) => { got.push({ did, text: new TextDecoder().decode(bytes) }); },
  });
  return { server, registry, relayDid: identity.did, got };
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`end to end over ${transport.toUpperCase()}: enroll with the owner's claim string, send DATA, the relay receives it`, async () => {
    requireProtocolExports();
    assert.ok(binary, 'the host build failed (previous test)');
    const relay = await startRelay();
    try {
      const c = createClaim('did:key:owner', Date.now());
      relay.registry.addClaim(c.record);
      const claimFile = join(scratch, `${transport}.claim`);
      // Both ports offered: --transport picks one.
      writeFileSync(claimFile, encodeClaimBundle({
        relayDid: relay.relayDid, host: '127.0.0.1', udpPort: relay.server.udpPort, tcpPort: relay.server.tcpPort,
        claimId: c.claimId, claimToken: c.claimToken, ownerDid: identityFromSeed(random(32)).did,
      }) + '\n', { mode: 0o600 });
      const state = join(scratch, `${transport}-state`);
      const first = await runHost(['--state', state, '--enroll', claimFile, '--transport', transport, '--send', `hello over ${transport}`, '--send', 'second']);
      assert.is(first.code, 0, `${first.lines.join('\n')}\n${first.stderr}`);
      const pub = first.lines.find((l) => l.startsWith('public-key '))?.slice(11) ?? '';
      const did = didFromEd25519(Uint8Array.from(Buffer.from(pub, 'hex')));
      assert.ok(first.lines.includes('state established'), first.lines.join('\n'));
      assert.ok(first.lines.includes('exit idle'), first.lines.join('\n'));
      assert.equal(relay.got, [{ did, text: `hello over ${transport}` }, { did, text: 'second' }]);
      assert.ok((await relay.registry.deviceByDid(did)) !== undefined, 'the relay registered the device');

      // A restart: same identity and enrollment from storage, no claim needed.
      const second = await runHost(['--state', state, '--send', 'after restart']);
      assert.is(second.code, 0, `${second.lines.join('\n')}\n${second.stderr}`);
      assert.ok(second.lines.includes(`public-key ${pub}`), 'the identity survives a restart');
      assert.equal(relay.got.at(-1), { did, text: 'after restart' });
    } finally {
      await relay.server.close();
    }
  });
}

test('a claim string the device cannot use is refused with a clear message', async () => {
  assert.ok(binary, 'the host build failed (previous test)');
  const bad = join(scratch, 'bad.claim');
  writeFileSync(bad, 'sealink1:AQ\n');
  const r = await runHost(['--state', join(scratch, 'bad-state'), '--enroll', bad]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'not a valid sealink1: claim');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
