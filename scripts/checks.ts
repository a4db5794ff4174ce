// The rules a release core must meet to run on the boards. One list, used by
// the build (scripts/build.ts) and by test/build.test.ts, which also feeds it
// modules that break each rule to prove every check can fail.

import type { WasmFacts } from './wasm-inspect.ts';

export interface Budgets {
  /** The whole .wasm file. */
  readonly moduleBytes: number;
  /** Linear memory the module uses (`__heap_base`): static data, buffers and contexts. */
  readonly linearMemoryBytes: number;
}

/**
 * Budgets for the release core (crypto + device protocol + sealed readings).
 * Raise one only with a note in the README's budget table.
 */
export const BUDGETS: Budgets = {
  moduleBytes: 40 * 1024,
  linearMemoryBytes: 24 * 1024,
};

/**
 * Budgets for the crypto part alone (build/sealink-core.crypto.wasm, from
 * firmware/crypto-core.ts): what a board that only wants the primitives pays,
 * and the foundation issue's limits (under 40 KB, at most 16 KiB of memory).
 */
export const CRYPTO_BUDGETS: Budgets = {
  moduleBytes: 40 * 1024,
  linearMemoryBytes: 16 * 1024,
};

/** The only import module a core may use: everything else is a board's business. */
export const IMPORT_MODULE = 'hal';

/**
 * Returns every rule the module breaks (empty when it is fine).
 * `text` is the module's disassembly (wabt), used for instruction-level rules.
 */
export function checkModule(facts: WasmFacts, text: string, budgets: Budgets = BUDGETS): string[] {
  const problems: string[] = [];
  if (facts.size > budgets.moduleBytes) {
    problems.push(`module is ${facts.size} bytes, budget ${budgets.moduleBytes}`);
  }
  const foreign = facts.imports.filter((i) => i.module !== IMPORT_MODULE);
  if (foreign.length > 0) {
    problems.push(`imports outside module "${IMPORT_MODULE}": ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`
      + ' (an env.abort import means --use abort= is missing)');
  }
  // WAMR only shrinks linear memory to __heap_base when the module cannot grow
  // it (wasm_loader.c: possible_memory_grow) and exports both symbols.
  if (/\bmemory\.grow\b/.test(text)) problems.push('contains memory.grow (something allocates)');
  if (/\bmemory\.size\b/.test(text)) problems.push('contains memory.size');
  const heapBase = exportedConst(facts, '__heap_base');
  const dataEnd = exportedConst(facts, '__data_end');
  if (heapBase === null) problems.push('does not export __heap_base as an immutable i32 constant');
  if (dataEnd === null) problems.push('does not export __data_end as an immutable i32 constant');
  if (heapBase !== null && heapBase > budgets.linearMemoryBytes) {
    problems.push(`uses ${heapBase} bytes of linear memory (__heap_base), budget ${budgets.linearMemoryBytes}`);
  }
  if (heapBase !== null && dataEnd !== null && dataEnd > heapBase) problems.push('__data_end lies above __heap_base');
  // With those exports WAMR takes the first mutable i32 global whose initial
  // value is <= __heap_base as the C stack pointer and traps when code moves it
  // outside its "stack". The core keeps all state in linear memory instead.
  const mutable = facts.globals.filter((g) => g.mutable);
  if (mutable.length > 0) {
    problems.push(`has ${mutable.length} mutable global(s); WAMR would take the first mutable i32 for its aux stack pointer`);
  }
  return problems;
}

function exportedConst(facts: WasmFacts, name: string): number | null {
  const e = facts.exports.find((x) => x.name === name && x.kind === 3);
  if (!e) return null;
  const g = facts.globals[e.index - facts.imports.filter((i) => i.kind === 3).length];
  if (!g || g.mutable || g.type !== 0x7f || g.init === null) return null;
  return g.init;
}
