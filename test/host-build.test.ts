// The host build (scripts/host-build.ts): the release core through Debian's
// wasm2c and gcc gives known answers natively, and the generated glue binds
// every import of hal/contract.json to sealink_hal.h with the contract's
// checks. Needs wabt, gcc (and valgrind's memcheck.h for the HAL stub).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { ensureDebianPackages } from './support/ensure-debian-tools.ts';
import { hostBuild, findToolchain } from '../scripts/host-build.ts';
import { readContract, wasmParams } from '../scripts/gen-hal.ts';
import { writeFileSync, mkdirSync } from 'node:fs';

ensureDebianPackages(['wabt', 'valgrind', 'gcc']);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = (name: string) => join(ROOT, 'build/host-test', name);
const run = (exe: string) => spawnSync(exe, [], { encoding: 'utf8' });

test('the release core, built for the host, gives known answers (SHA-256, X25519)', () => {
  const { output, imports } = hostBuild({
    outDir: out('core'), exe: out('core/core_smoke'), cflags: ['-O2'],
    sources: ['test/host-build/core_smoke.c', 'test/ctgrind/hal_stub.c'],
  });
  // The core binds exactly the contract's imports (the crypto entry points
  // used here never call them; the stub only satisfies the linker).
  const contract = readContract(ROOT);
  const declared = new Set(contract.imports.map((i) => i.name));
  assert.ok(imports.length > 0, 'the release core imports the HAL it is driven through');
  assert.equal(imports.filter((n) => !declared.has(n)), [], 'every import is declared in hal/contract.json');
  const r = run(output);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'host core ok');
});

test('the generated glue binds every HAL import with the contract\'s checks', async () => {
  const contract = readContract(ROOT);
  const wabt = await wabtInit();
  const imports = contract.imports.map((i) => `(import "hal" "${i.name}" (func $${i.name} ${
    wasmParams(i.params).length ? `(param ${wasmParams(i.params).join(' ')})` : ''} (result i32)))`).join('\n');
  const m = wabt.parseWat('glue.wat', `(module ${imports}
    (memory (export "memory") 1)
    (func (export "fw_io_ptr") (result i32) (i32.const 0))
    (func (export "rng") (param i32 i32) (result i32) (call $hal_rng_fill (local.get 0) (local.get 1)))
    (func (export "clock") (param i32 i32) (result i32) (call $hal_clock_now_ms (local.get 0) (local.get 1)))
    (func (export "caps") (result i32) (call $hal_capabilities)))`);
  mkdirSync(out('glue'), { recursive: true });
  writeFileSync(out('glue/glue.wasm'), m.toBinary({}).buffer);
  m.destroy();
  const { output, imports: bound } = hostBuild({
    wasm: out('glue/glue.wasm'), outDir: out('glue'), exe: out('glue/glue'), cflags: ['-O1', '-Wall', '-Werror=implicit-function-declaration'],
    sources: ['test/host-build/hal_glue_main.c', 'test/ctgrind/hal_stub.c'],
  });
  assert.equal(bound.length, contract.imports.length);
  const r = run(output);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['rng 0', 'caps 0', 'clock_short -1', 'clock 0', 'rng_outside trap oob']);
});

test('the build names the package to install when wasm2c is missing', () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    assert.throws(() => findToolchain(), /apt-get install wabt/);
  } finally {
    process.env.PATH = path;
  }
});

test.run();
