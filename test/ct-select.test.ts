// No `select` in the core's constant-time code (scripts/ct-select.ts): WAMR's
// interpreter runs select as a branch. Only the commented VARIABLE TIME
// functions of SELECT_ALLOWED may contain one. Crafted modules prove the check
// fires, and does not fire outside what it checks.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { checkSelect, functionsWithSelect, withoutCustomSections, SELECT_ALLOWED } from '../scripts/ct-select.ts';

const wabt = await wabtInit();
const read = (p: string) => new Uint8Array(readFileSync(new URL(`../build/${p}`, import.meta.url)));
const named = read('sealink-core.names.wasm');

/** A module from wat function bodies, with a name section (as the names build has). */
function wat(funcs: string, names = true): Uint8Array {
  const m = wabt.parseWat('t.wat', `(module (memory 1) ${funcs})`);
  try {
    return m.toBinary({ write_debug_names: names }).buffer;
  } finally {
    m.destroy();
  }
}

const SELECT_BODY = '(param i32 i32 i32) (result i32) (select (local.get 0) (local.get 1) (local.get 2))';

test('the names build has the release code (the check reads the module that ships)', () => {
  const release = read('sealink-core.wasm');
  assert.ok(Buffer.from(withoutCustomSections(release)).equals(Buffer.from(withoutCustomSections(named))),
    'build/sealink-core.names.wasm differs from build/sealink-core.wasm beyond custom sections: run npm run build');
});

test('the core: select only in allow-listed VARIABLE TIME functions', () => {
  const { found, problems } = checkSelect(wabt, named);
  console.log(`  select in checked functions: ${[...found].map(([f, n]) => `${f} (${n}, allowed)`).join(', ') || 'none'}`);
  assert.equal(problems, []);
});

test('every allow-list entry gives its reason', () => {
  for (const [fn, why] of Object.entries(SELECT_ALLOWED)) {
    assert.ok(/^firmware\//.test(fn), fn);
    assert.ok(why.length > 20, `${fn}: say why its inputs are public`);
  }
});

test('a select in a crypto function fails the check, naming the function', () => {
  const { problems } = checkSelect(wabt, wat(`(func $firmware/crypto/fake/ctPick ${SELECT_BODY})`));
  assert.equal(problems.length, 1);
  assert.match(problems[0], 'firmware/crypto/fake/ctPick contains 1 select');
});

test('typed select, protocol code, entry points and std helpers are checked too', () => {
  const m = wat(`
    (func $firmware/protocol/replay/windowShift (param i32 i32 i32) (result i32)
      (select (result i32) (local.get 0) (local.get 1) (local.get 2)))
    (func $firmware/index/crypto_fake ${SELECT_BODY})
    (func $~lib/polyfills/fake ${SELECT_BODY})`);
  const { problems } = checkSelect(wabt, m);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('firmware/protocol/replay/windowShift')));
});

test('an allow-listed function passes; code outside the checked parts is not checked', () => {
  const m = wat(`(func $firmware/crypto/fake/verifyVartime ${SELECT_BODY}) (func $firmware/app/leds ${SELECT_BODY})`);
  const { found, problems } = checkSelect(wabt, m, { 'firmware/crypto/fake/verifyVartime': 'public inputs only, for the test' });
  assert.equal(problems, []);
  assert.equal([...found.keys()], ['firmware/crypto/fake/verifyVartime']);
  assert.equal(functionsWithSelect(wabt, m).size, 2);
});

test('a select the check cannot attribute (no name section) fails', () => {
  const { problems } = checkSelect(wabt, wat(`(func ${SELECT_BODY})`, false));
  assert.equal(problems.length, 1);
  assert.match(problems[0], 'no name');
});

test('a module without select passes', () => {
  assert.equal(checkSelect(wabt, wat('(func $firmware/crypto/fake/add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))')).problems, []);
});

test.run();
