// `npm run build`: compiles the sensor core (release + debug), checks the
// release module against the budgets and the runtime's limits, and bundles the
// Node binding and the retrieval library (Node and browser). Exits non-zero
// with the reason when a check fails.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { build as esbuild } from 'esbuild';
import { inspectWasm, partOf, type WasmFacts } from './wasm-inspect.ts';
import { BUDGETS, CRYPTO_BUDGETS, checkModule } from './checks.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const t0 = Date.now();
const step = (msg: string) => console.log(`[build ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

async function compile(args: string[]): Promise<void> {
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc ${args.join(' ')}: ${error.message}`);
  }
}

mkdirSync('build/node', { recursive: true });
step('compiling the core (release)');
await compile(['--config', 'asconfig.json', '--target', 'release']);
step('compiling the core (debug)');
await compile(['--config', 'asconfig.json', '--target', 'debug']);
// Release code plus the test-only exports of firmware/testing/ (Noise vectors,
// replay window): tests load build/sealink-core.test.wasm; boards never do.
// The crypto entry points alone (firmware/crypto-core.ts), held to their own
// budgets: the protocol must not hide a crypto that outgrew its limits.
step('compiling the crypto part alone (for its budget)');
await compile(['--config', 'asconfig.crypto.json', '--target', 'release']);
step('compiling the core (test exports)');
await compile(['firmware/testing/index.ts', '--config', 'asconfig.json', '--target', 'test']);
// Same optimisation as release plus a name section: only used to attribute
// release bytes to source files (the table below). Its function bodies must
// match release exactly, or the attribution would be a guess.
step('compiling the core (release with names, for the size table)');
await compile(['--config', 'asconfig.json', '--target', 'release', '--debug',
  '--outFile', 'build/sealink-core.names.wasm', '--textFile', 'build/sealink-core.names.wat']);

const release = new Uint8Array(readFileSync('build/sealink-core.wasm'));
const named = inspectWasm(new Uint8Array(readFileSync('build/sealink-core.names.wasm')));
const facts = inspectWasm(release);

step('checking the release module');
const wabt = await (await import('wabt')).default();
const text = wabt.readWasm(release, { readDebugNames: false }).toText({});
const problems = checkModule(facts, text);
const cryptoBytes = new Uint8Array(readFileSync('build/sealink-core.crypto.wasm'));
const cryptoFacts = inspectWasm(cryptoBytes);
problems.push(...checkModule(cryptoFacts, wabt.readWasm(cryptoBytes, { readDebugNames: false }).toText({}), CRYPTO_BUDGETS)
  .map((p) => `crypto part alone (build/sealink-core.crypto.wasm): ${p}`));

// Feature set WAMR's classic and fast interpreters run: MVP + sign-extension,
// mutable-globals, non-trapping float-to-int, bulk memory. Everything else off.
const validator = spawnSync(process.execPath, [
  fileURLToPath(new URL('../node_modules/wabt/bin/wasm-validate', import.meta.url)),
  '--disable-simd', '--disable-multi-value', '--disable-reference-types',
  'build/sealink-core.wasm',
], { encoding: 'utf8' });
if (validator.status !== 0) problems.push(`wasm-validate (WAMR feature set) failed: ${validator.stderr || validator.stdout}`);

printSizeTable(facts, named, cryptoFacts);

step('bundling the Node binding');
await esbuild({
  entryPoints: ['hal/node/core.ts'], outfile: 'build/node/core.js', bundle: true, platform: 'node',
  format: 'esm', target: 'node20', logLevel: 'warning',
});
const tsc = spawnSync(process.execPath, [
  fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)),
  'hal/node/core.ts', '--declaration', '--emitDeclarationOnly', '--outDir', 'build/node',
  '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict',
  '--skipLibCheck', '--types', 'node', '--lib', 'ES2022,DOM',
], { encoding: 'utf8' });
if (tsc.status !== 0) problems.push(`declarations for hal/node/core.ts: ${tsc.stdout}${tsc.stderr}`);

// The retrieval library `sealink/client` (docs/api.md): for Node an ESM bundle
// of cloud/client/node.ts with its dependencies left to node_modules (jose's
// node build, ws); for browsers one self-contained ESM file of
// cloud/client/index.ts (jose's browser build, @noble) that must not reach
// anything Node-only: the metafile's inputs say what went in.
step('bundling the retrieval library (Node and browser)');
mkdirSync('build/browser', { recursive: true });
const [, browserBundle] = await Promise.all([
  esbuild({
    entryPoints: ['cloud/client/node.ts'], outfile: 'build/node/client.js', bundle: true, platform: 'node',
    format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
  }),
  esbuild({
    entryPoints: ['cloud/client/index.ts'], outfile: 'build/browser/sealink-client.js', bundle: true, platform: 'browser',
    format: 'esm', target: 'es2022', minify: true, sourcemap: true, metafile: true, logLevel: 'warning',
  }),
]);
writeFileSync('build/browser/sealink-client.meta.json', JSON.stringify(browserBundle.metafile, null, 2));
const nodeOnly = Object.keys(browserBundle.metafile!.inputs).filter((i) => /^node:|(^|\/)node_modules\/(ws|jose\/dist\/node)\//.test(i));
if (nodeOnly.length > 0) problems.push(`browser bundle build/browser/sealink-client.js pulls in Node-only code: ${nodeOnly.join(', ')}`);
const clientTsc = spawnSync(process.execPath, [
  fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)),
  'cloud/client/node.ts', '--declaration', '--emitDeclarationOnly', '--outDir', 'build/types', '--rootDir', '.',
  '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict', '--skipLibCheck',
  '--allowImportingTsExtensions', '--types', 'node', '--lib', 'ES2022,DOM',
], { encoding: 'utf8' });
if (clientTsc.status !== 0) problems.push(`declarations for cloud/client: ${clientTsc.stdout}${clientTsc.stderr}`);
writeFileSync('build/node/client.d.ts', "export * from '../types/cloud/client/node.js';\n");
writeFileSync('build/browser/sealink-client.d.ts', "export * from '../types/cloud/client/index.js';\n");

if (problems.length > 0) {
  console.error('\nbuild FAILED, the release core breaks these rules:');
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
step('ok: build/sealink-core.wasm, build/sealink-core.debug.wasm, build/node/core.js, build/node/client.js, build/browser/sealink-client.js');

function heapBaseOf(m: WasmFacts): number {
  return m.globals[m.exports.find((e) => e.name === '__heap_base')?.index ?? -1]?.init ?? 0;
}

function printSizeTable(release: WasmFacts, withNames: WasmFacts, cryptoAlone: WasmFacts): void {
  const sameBodies = release.bodySizes.length === withNames.bodySizes.length
    && release.bodySizes.every((v, i) => v === withNames.bodySizes[i]);
  const parts = new Map<string, number>();
  withNames.bodySizes.forEach((size, i) => {
    const name = withNames.names.get(i + withNames.importedFunctions) ?? '?';
    const part = partOf(name);
    parts.set(part, (parts.get(part) ?? 0) + size);
  });
  const rows = [...parts.entries()].sort((a, b) => b[1] - a[1]);
  const code = release.sections.find((s) => s.name === 'code')?.size ?? 0;
  const heapBase = heapBaseOf(release);
  const cryptoHeapBase = heapBaseOf(cryptoAlone);
  console.log('\n  part (function bodies)          bytes');
  for (const [part, bytes] of rows) console.log(`  ${part.padEnd(32)}${String(bytes).padStart(6)}`);
  console.log(`  ${'-'.repeat(38)}`);
  console.log(`  ${'code section'.padEnd(32)}${String(code).padStart(6)}`);
  console.log(`  ${'data segments'.padEnd(32)}${String(release.dataBytes).padStart(6)}`);
  console.log(`  ${'release module'.padEnd(32)}${String(release.size).padStart(6)}  (budget ${BUDGETS.moduleBytes})`);
  console.log(`  ${'linear memory (__heap_base)'.padEnd(32)}${String(heapBase).padStart(6)}  (budget ${BUDGETS.linearMemoryBytes})`);
  console.log(`  ${'crypto part alone: module'.padEnd(32)}${String(cryptoAlone.size).padStart(6)}  (budget ${CRYPTO_BUDGETS.moduleBytes})`);
  console.log(`  ${'crypto part alone: memory'.padEnd(32)}${String(cryptoHeapBase).padStart(6)}  (budget ${CRYPTO_BUDGETS.linearMemoryBytes})`);
  if (!sameBodies) console.log('  note: the named build differs from release; per-part figures are approximate');
  writeFileSync('build/sizes.json', JSON.stringify({
    module: release.size, code, data: release.dataBytes, heapBase, parts: Object.fromEntries(rows), exact: sameBodies,
    cryptoModule: cryptoAlone.size, cryptoHeapBase,
  }, null, 2));
}
