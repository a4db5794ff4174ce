// The retrieval library as shipped by `npm run build` (package.json exports):
//  - plain Node (no tsx) resolves `sealink/client` to build/node/client.js, and
//    the `browser` condition / `sealink/client/browser` to the browser bundle;
//  - the browser bundle (build/browser/sealink-client.js) is one self-contained
//    ESM file: no `node:` specifier, no require(), no import of another module,
//    and the esbuild metafile shows jose's browser build, @noble, and nothing
//    Node-only went in;
//  - it runs in a vm context that has only web globals (fetch, WebSocket,
//    crypto, TextEncoder/Decoder, atob/btoa, URL, timers; no process, Buffer,
//    require) against the real relay app on 127.0.0.1: lists devices, reads and
//    verifies readings, follows the device live.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { transform } from 'esbuild';
import WebSocket from 'ws';
import type { RelayApp } from '../../cloud/app/relay.ts';
import { apiOf, newIdentity, seqs, startRelay, tempDir, TestDevice, waitFor } from './support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BROWSER = `${ROOT}build/browser/sealink-client.js`;
const test = suite('client: bundles');

function built(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} not built: run \`npm run build\``);
  return readFileSync(file, 'utf8');
}

/** node (no tsx, no NODE_OPTIONS) in the repository root. */
function plainNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
}

test('plain node -e "import(\'sealink/client\')" loads build/node/client.js and makes a client', () => {
  built(`${ROOT}build/node/client.js`);
  const script = `import('sealink/client').then(async (m) => {
    const c = m.createClient({ baseUrl: 'http://127.0.0.1:9', ownerSeed: new Uint8Array(32).fill(7) });
    const t = await c.token();
    console.log(JSON.stringify({ exports: Object.keys(m).sort(), did: c.did, jwt: t.split('.').length, live: typeof c.live }));
  });`;
  const r = plainNode(['-e', script]);
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { exports: string[]; did: string; jwt: number; live: string };
  for (const name of ['createClient', 'ClientError', 'AUDIENCE', 'fromBase64', 'toBase64']) assert.ok(out.exports.includes(name), name);
  assert.match(out.did, /^did:key:z6Mk/);
  assert.is(out.jwt, 3);
  assert.is(out.live, 'function');

  const resolve = (cond: string[]) => plainNode([...cond, '--input-type=module', '-e',
    "console.log(import.meta.resolve('sealink/client') + ' ' + import.meta.resolve('sealink/client/browser'))"]);
  const node = resolve([]);
  assert.is(node.status, 0, node.stderr);
  const [plain, explicit] = node.stdout.trim().split(' ');
  assert.ok(plain.endsWith('/build/node/client.js'), plain);
  assert.ok(explicit.endsWith('/build/browser/sealink-client.js'), explicit);
  const browser = resolve(['-C', 'browser']);
  assert.is(browser.status, 0, browser.stderr);
  assert.ok(browser.stdout.trim().split(' ')[0].endsWith('/build/browser/sealink-client.js'), browser.stdout);
  assert.ok(existsSync(`${ROOT}build/node/client.d.ts`) && existsSync(`${ROOT}build/browser/sealink-client.d.ts`), 'type declarations');
});

test('the browser bundle is self-contained and has nothing Node-only in it', () => {
  const code = built(BROWSER);
  assert.not.match(code, /["'`]node:/, 'a node: specifier');
  assert.not.match(code, /\brequire\s*\(/, 'require()');
  assert.not.match(code, /\bimport\s*\(|\bimport\s*[\w{*]+[^;]*?\bfrom\s*["']|\bimport\s*["']/, 'an import of another module');
  assert.not.match(code, /\bprocess\.|\bBuffer\b|__dirname|setImmediate/, 'a Node global');
  const meta = JSON.parse(built(`${ROOT}build/browser/sealink-client.meta.json`)) as { inputs: Record<string, unknown> };
  const inputs = Object.keys(meta.inputs);
  assert.equal(inputs.filter((i) => /^node:|node_modules\/(ws|jose\/dist\/node|pino|better-sqlite3)\//.test(i)), [], 'Node-only inputs');
  assert.ok(inputs.some((i) => /node_modules\/jose\/dist\/browser\//.test(i)), 'jose (browser build) is bundled');
  assert.ok(inputs.some((i) => /node_modules\/@noble\/curves\//.test(i)), '@noble/curves is bundled');
  assert.ok(inputs.includes('cloud/client/live.ts') && inputs.includes('cloud/readings/verify.ts'), 'the client and the verifier');
  assert.ok(!inputs.includes('cloud/client/node.ts'), 'not the Node entry');
});

test('the browser bundle, in a vm context with only web globals, lists, reads, verifies and follows readings from the real relay', async () => {
  const { code } = await transform(built(BROWSER), { format: 'iife', globalName: 'sealinkClient', loader: 'js' });
  const tmp = tempDir('bundle-vm');
  const owner = newIdentity();
  let app: RelayApp | undefined;
  const device = new TestDevice(owner, 4);
  const context = vm.createContext({
    fetch, WebSocket, crypto: globalThis.crypto, CryptoKey: globalThis.CryptoKey,
    TextEncoder, TextDecoder, atob, btoa, URL, URLSearchParams, setTimeout, clearTimeout, console,
  });
  try {
    app = await startRelay(tmp.dir, owner);
    await device.enroll(app, owner);
    await device.emit(6); // epoch 1 closed (4), epoch 2 open (2)
    assert.is(vm.runInContext('JSON.stringify([typeof process, typeof Buffer, typeof require, typeof global, typeof module])', context),
      JSON.stringify(Array(5).fill('undefined')), 'no Node globals in the context');
    // Node's TextEncoder returns this realm's Uint8Array; a browser's returns its own realm's
    // (jose checks instanceof). Same API, realm-local result.
    vm.runInContext(`{
      const Outer = TextEncoder;
      globalThis.TextEncoder = class TextEncoder {
        get encoding() { return 'utf-8'; }
        encode(s) { return new Uint8Array(new Outer().encode(s)); }
      };
    }`, context);
    vm.runInContext(code, context);
    vm.runInContext(`
      const hex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
      globalThis.state = { live: [], opens: 0, issues: [] };
      globalThis.start = async (baseUrl, seedHex, device) => {
        const client = sealinkClient.createClient({ baseUrl, ownerSeed: hex(seedHex) });
        const devices = await client.listDevices();
        const all = await client.readings({ device });
        globalThis.handle = client.live(device, (r) => state.live.push(String(r.seq)), {
          since: 0, onOpen: () => { state.opens++; }, onIssue: (i) => state.issues.push(i.detail),
        });
        return JSON.stringify({
          did: client.did, devices: devices.map((d) => d.did),
          seqs: all.readings.map((r) => String(r.seq)), texts: all.readings.map((r) => new TextDecoder().decode(r.payload)),
          issues: all.issues.map((i) => i.kind),
        });
      };
    `, context);
    const start = vm.runInContext('start', context) as (a: string, b: string, c: string) => Promise<string>;
    const got = JSON.parse(await start(apiOf(app), Buffer.from(owner.seed).toString('hex'), device.did)) as Record<string, string[]>;
    assert.is(got.did, owner.did);
    assert.equal(got.devices, [device.did]);
    assert.equal(got.seqs, seqs(6).map(String));
    assert.equal(got.texts, seqs(6).map((s) => device.sealed.get(s)));
    assert.equal(got.issues, ['open'], 'epoch 2 is still open; nothing else');

    const state = () => JSON.parse(vm.runInContext('JSON.stringify(state)', context)) as { live: string[]; opens: number; issues: string[] };
    await waitFor(() => state().opens === 1 && state().live.length === 6, 5000, () => JSON.stringify(state()));
    await device.emit(3);
    await waitFor(() => state().live.length === 9, 5000, () => JSON.stringify(state()));
    assert.equal(state().live, seqs(9).map(String), 'live: stored ones, then new ones, each once');
    assert.equal(state().issues, []);
  } finally {
    vm.runInContext('globalThis.handle?.close()', context);
    await device.close();
    await app?.close();
    tmp.remove();
  }
});

test.run();
