// The build's module rules (scripts/checks.ts) hold for the real release core,
// and each rule really fires: modules crafted to break one rule are refused.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { inspectWasm } from '../scripts/wasm-inspect.ts';
import { checkModule, BUDGETS, CRYPTO_BUDGETS, type Budgets } from '../scripts/checks.ts';

const wabt = await wabtInit();
const release = new Uint8Array(readFileSync(new URL('../build/sealink-core.wasm', import.meta.url)));
const cryptoAlone = new Uint8Array(readFileSync(new URL('../build/sealink-core.crypto.wasm', import.meta.url)));

function problemsOf(bytes: Uint8Array, budgets?: Budgets): string[] {
  return checkModule(inspectWasm(bytes), wabt.readWasm(bytes, { readDebugNames: false }).toText({}), budgets);
}

function wat(body: string): Uint8Array {
  return wabt.parseWat('t.wat', `(module ${body})`, { mutable_globals: true }).toBinary({}).buffer;
}

// A minimal module that meets every rule; each case below breaks exactly one.
const GOOD = `
  (memory (export "memory") 1)
  (global (export "__heap_base") i32 (i32.const 1024))
  (global (export "__data_end") i32 (i32.const 1024))
  (func (export "f") (result i32) (i32.const 1))`;

test('the release core meets every rule', () => {
  assert.equal(problemsOf(release), []);
});

test('the release core imports only from hal and exports the memory symbols', () => {
  const facts = inspectWasm(release);
  assert.ok(facts.imports.every((i) => i.module === 'hal'));
  const names = facts.exports.map((e) => e.name);
  for (const n of ['memory', '__heap_base', '__data_end', 'fw_io_ptr', 'crypto_x25519']) assert.ok(names.includes(n), n);
});

test('a minimal compliant module passes (the checks are not vacuous)', () => {
  assert.equal(problemsOf(wat(GOOD)), []);
});

test('memory.grow is refused', () => {
  const p = problemsOf(wat(GOOD + '(func (export "g") (result i32) (memory.grow (i32.const 1)))'));
  assert.ok(p.some((x) => x.includes('memory.grow')), p.join('; '));
});

test('memory.size is refused', () => {
  const p = problemsOf(wat(GOOD + '(func (export "g") (result i32) (memory.size))'));
  assert.ok(p.some((x) => x.includes('memory.size')), p.join('; '));
});

test('an env import (e.g. env.abort) is refused', () => {
  const p = problemsOf(wat('(import "env" "abort" (func (param i32 i32 i32 i32)))' + GOOD));
  assert.ok(p.some((x) => x.includes('env.abort')), p.join('; '));
});

test('a mutable global is refused (WAMR would take it for the aux stack pointer)', () => {
  const p = problemsOf(wat(GOOD + '(global $g (mut i32) (i32.const 16)) (func (export "h") (global.set $g (i32.const 99)))'));
  assert.ok(p.some((x) => x.includes('mutable global')), p.join('; '));
});

test('the crypto part alone meets its own, tighter budgets and holds no protocol', () => {
  assert.equal(problemsOf(cryptoAlone, CRYPTO_BUDGETS), []);
  const facts = inspectWasm(cryptoAlone);
  const names = facts.exports.map((e) => e.name);
  assert.ok(names.includes('crypto_x25519') && names.includes('crypto_ed25519_verify'), names.join(', '));
  assert.equal(names.filter((n) => n.startsWith('fw_') && !n.startsWith('fw_io_')), [], 'no device protocol entry point');
  // The primitives ask the board only for its optional accelerators (firmware/crypto/accel.ts).
  assert.equal(facts.imports.map((i) => `${i.module}.${i.name}`).sort(), [
    'hal.hal_accel_aead_open', 'hal.hal_accel_aead_seal', 'hal.hal_accel_sha256', 'hal.hal_accel_x25519', 'hal.hal_capabilities',
  ], 'the primitives need no HAL but the optional accelerators');
  assert.ok(CRYPTO_BUDGETS.linearMemoryBytes < BUDGETS.linearMemoryBytes);
  // The same module against a memory budget just under what it uses is refused.
  const heapBase = facts.globals[facts.exports.find((e) => e.name === '__heap_base')!.index].init!;
  const p = problemsOf(cryptoAlone, { ...CRYPTO_BUDGETS, linearMemoryBytes: heapBase - 1 });
  assert.ok(p.some((x) => x.includes('linear memory')), p.join('; '));
});

test('missing __heap_base / __data_end exports are refused', () => {
  const p = problemsOf(wat('(memory (export "memory") 1)'));
  assert.ok(p.some((x) => x.includes('__heap_base')));
  assert.ok(p.some((x) => x.includes('__data_end')));
});

test('linear memory over budget is refused', () => {
  const over = BUDGETS.linearMemoryBytes + 8;
  const p = problemsOf(wat(`(memory (export "memory") 1)
    (global (export "__heap_base") i32 (i32.const ${over}))
    (global (export "__data_end") i32 (i32.const ${over}))`));
  assert.ok(p.some((x) => x.includes('linear memory')), p.join('; '));
});

test('a module over the size budget is refused', () => {
  const bytes = wat(`${GOOD} (data (i32.const 16) "${'\\00'.repeat(BUDGETS.moduleBytes)}")`);
  const p = problemsOf(bytes);
  assert.ok(p.some((x) => x.includes('budget')), p.join('; '));
});

test.run();
