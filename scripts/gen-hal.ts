// `npm run gen:hal`: writes every file derived from hal/contract.json, so the
// HAL is declared once (STYLE "Contracts declared once"). `-- --check`
// regenerates in memory and exits 1 listing stale files (tests and CI).
//
// Names crossing the boundary stay snake_case and identical in every output
// (STYLE "Naming"); only the (ptr, len) halves get per-language suffixes.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type ParamType = 'i32' | 'u32' | 'buf';
export interface Param { name: string; type: ParamType; dir?: 'in' | 'out'; min?: number }
export interface Import { name: string; doc: string; optional?: string; params: Param[] }
export interface Export { name: string; doc: string; params: Param[]; result?: 'i32' | 'void' }
export interface Contract {
  module: string;
  version: number;
  status: { name: string; value: number; doc: string }[];
  capabilities: { name: string; bit: number; doc: string }[];
  imports: Import[];
  exports: Export[];
  exports_memory: string[];
}

export const CONTRACT_PATH = 'hal/contract.json';
export const OUTPUTS = {
  as: 'firmware/hal.generated.ts',
  header: 'hal/c/sealink_hal.h',
  natives: 'hal/c/sealink_wamr_natives.c',
  shim: 'hal/c/wamr_export_shim.h',
  node: 'hal/node/hal.generated.ts',
} as const;

const HEADER = 'GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit';

/** The wasm value types of an import's or export's parameters: a buf is (ptr, len). */
export function wasmParams(params: Param[]): ('i32')[] {
  return params.flatMap((p) => (p.type === 'buf' ? ['i32', 'i32'] as const : ['i32'] as const));
}

/** Throws with every problem found: a bad contract must never generate half-right bindings. */
export function validateContract(c: Contract): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const unique = (n: string) => { if (seen.has(n)) problems.push(`duplicate name ${n}`); seen.add(n); };
  if (c.module !== 'hal') problems.push(`module must be "hal", got ${JSON.stringify(c.module)}`);
  if (!Number.isInteger(c.version)) problems.push('version must be an integer');
  for (const s of c.status) {
    unique(s.name);
    if (!/^HAL_E?[A-Z0-9]+$/.test(s.name)) problems.push(`status ${s.name}: not HAL_E*`);
    if (!Number.isInteger(s.value) || s.value > 0) problems.push(`status ${s.name}: value must be 0 or negative`);
  }
  if (c.status.find((s) => s.name === 'HAL_OK')?.value !== 0) problems.push('HAL_OK must be 0');
  for (const n of ['HAL_EINVAL', 'HAL_EIO', 'HAL_ENOTSUP']) {
    if (!c.status.some((s) => s.name === n)) problems.push(`${n} is required by the generated bindings`);
  }
  const bits = new Set<number>();
  for (const cap of c.capabilities) {
    unique(cap.name);
    if (!/^HAL_CAP_[A-Z0-9_]+$/.test(cap.name)) problems.push(`capability ${cap.name}: not HAL_CAP_*`);
    if (!Number.isInteger(cap.bit) || cap.bit < 0 || cap.bit > 30 || bits.has(cap.bit)) problems.push(`capability ${cap.name}: bad or reused bit`);
    bits.add(cap.bit);
  }
  const checkParams = (owner: string, params: Param[], bufOk: boolean) => {
    const names = new Set<string>();
    for (const p of params) {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(p.name) || names.has(p.name)) problems.push(`${owner}.${p.name}: bad or duplicate name`);
      names.add(p.name);
      if (!['i32', 'u32', ...(bufOk ? ['buf'] : [])].includes(p.type)) problems.push(`${owner}.${p.name}: bad type ${p.type}`);
      if (p.type === 'buf' && p.dir !== 'in' && p.dir !== 'out') problems.push(`${owner}.${p.name}: buf needs dir in/out`);
      if (p.min !== undefined && (p.type !== 'buf' || !Number.isInteger(p.min) || p.min < 0)) problems.push(`${owner}.${p.name}: min only on buf, >= 0`);
    }
  };
  for (const i of c.imports) {
    unique(i.name);
    if (!/^hal_[a-z0-9_]+$/.test(i.name)) problems.push(`import ${i.name}: not hal_*`);
    if (i.optional !== undefined && !c.capabilities.some((cap) => cap.name === i.optional)) problems.push(`import ${i.name}: unknown capability ${i.optional}`);
    checkParams(i.name, i.params, true);
  }
  for (const e of c.exports) {
    unique(e.name);
    if (!/^[a-z][a-z0-9_]*$/.test(e.name)) problems.push(`export ${e.name}: not snake_case`);
    if (e.result !== undefined && e.result !== 'i32' && e.result !== 'void') problems.push(`export ${e.name}: result i32 or void`);
    checkParams(e.name, e.params, false);
  }
  if (problems.length > 0) throw new Error(`${CONTRACT_PATH} is invalid:\n  ${problems.join('\n  ')}`);
}

const snake = (s: string) => s.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
/** Text safe inside a block comment. */
const cdoc = (s: string) => s.replace(/\*\//g, '* /');
const capValue = (bit: number) => `0x${(1 << bit).toString(16).padStart(2, '0')}`;
const bufNote = (p: Param) => `${p.dir} buffer${p.min ? `, at least ${p.min} bytes` : ''}`;

// ---- AssemblyScript ----

function genAs(c: Contract): string {
  const out = [`// ${HEADER}.`, '//', '// The board HAL as the core sees it. asc emits an import only for a function the', '// core calls, so declaring all of them costs nothing.', ''];
  for (const s of c.status) out.push(`/** ${s.doc} */`, `export const ${s.name}: i32 = ${s.value};`);
  out.push('');
  for (const cap of c.capabilities) out.push(`/** ${cap.doc} */`, `export const ${cap.name}: i32 = ${capValue(cap.bit)};`);
  for (const i of c.imports) {
    const params = i.params.map((p) => (p.type === 'buf'
      ? `${p.name}Ptr: usize, ${p.name}Len: u32`
      : `${p.name}: ${p.type}`));
    out.push('', `/** ${i.doc}${i.optional ? ` Optional (${i.optional}).` : ''} */`,
      '// @ts-ignore: decorator', `@external("${c.module}", "${i.name}")`,
      `export declare function ${i.name}(${params.join(', ')}): i32;`);
  }
  return out.join('\n') + '\n';
}

// ---- C header ----

function cParams(i: Import): string[] {
  return i.params.flatMap((p) => (p.type === 'buf'
    ? [`${p.dir === 'in' ? 'const ' : ''}uint8_t *${snake(p.name)}`, `uint32_t ${snake(p.name)}_len`]
    : [`${p.type === 'i32' ? 'int32_t' : 'uint32_t'} ${snake(p.name)}`]));
}

function genHeader(c: Contract): string {
  const out = [
    `/* ${HEADER}. */`, '',
    '/*',
    ' * The functions a board implements for the sealink core (WASM imports of',
    ` * module "${c.module}"). sealink_wamr_natives.c wraps them for WAMR; it checks each`,
    ' * buffer\'s minimum length before the board is called, and WAMR checks that',
    ' * every (pointer, length) lies inside the module\'s memory.',
    ' * Return >= 0 on success, a negative HAL_E* status on failure.',
    ' */',
    '#ifndef SEALINK_HAL_H', '#define SEALINK_HAL_H', '', '#include <stdint.h>', '',
    '#ifdef __cplusplus', 'extern "C" {', '#endif', '',
    `#define SEALINK_HAL_MODULE "${c.module}"`, `#define SEALINK_HAL_VERSION ${c.version}`, '',
  ];
  for (const s of c.status) out.push(`/** ${cdoc(s.doc)} */`, `#define ${s.name} (${s.value})`);
  out.push('');
  for (const cap of c.capabilities) out.push(`/** ${cdoc(cap.doc)} */`, `#define ${cap.name} ${capValue(cap.bit)}`);
  for (const i of c.imports) {
    out.push('', '/**', ` * ${cdoc(i.doc)}`);
    if (i.optional) out.push(` * Optional (${i.optional}): a board without it returns HAL_ENOTSUP.`);
    for (const p of i.params) out.push(` * @param ${snake(p.name)}${p.type === 'buf' ? ` ${bufNote(p)}` : ` ${p.type}`}`);
    out.push(' */', `int32_t ${i.name}(${cParams(i).join(', ') || 'void'});`);
  }
  out.push('',
    '/* The WAMR native table for this contract (sealink_wamr_natives.c): pass it to',
    ` * wasm_runtime_register_natives(SEALINK_HAL_MODULE, table, count). */`,
    'struct NativeSymbol;',
    'uint32_t sealink_hal_native_symbols(struct NativeSymbol **out);',
    '', '#ifdef __cplusplus', '}', '#endif', '', '#endif /* SEALINK_HAL_H */');
  return out.join('\n') + '\n';
}

// ---- WAMR natives ----

/** WAMR signature: i for an i32, `*~` for a pointer WAMR range-checks against the length after it. */
export function wamrSignature(i: Import): string {
  return `(${i.params.map((p) => (p.type === 'buf' ? '*~' : 'i')).join('')})i`;
}

function genNatives(c: Contract): string {
  const out = [
    `/* ${HEADER}. */`, '',
    '/*',
    ` * WAMR glue for module "${c.module}": one wrapper per import and the NativeSymbol`,
    ' * table. WAMR has already checked that each (pointer, length) lies in the',
    ' * module\'s memory ("*~"); the wrappers add the contract\'s minimum lengths.',
    ' * The real wasm_export.h wins when it is on the include path; the shim only',
    ' * lets this file compile where WAMR is not installed.',
    ' */',
    '#include <stdint.h>',
    '#include <stddef.h>',
    '#if defined(__has_include)',
    '#if __has_include("wasm_export.h")',
    '#include "wasm_export.h"',
    '#endif',
    '#endif',
    '#include "wamr_export_shim.h"',
    '#include "sealink_hal.h"',
  ];
  for (const i of c.imports) {
    const params = ['wasm_exec_env_t env', ...cParams(i)];
    const args = i.params.flatMap((p) => (p.type === 'buf' ? [snake(p.name), `${snake(p.name)}_len`] : [snake(p.name)]));
    const mins = i.params.filter((p) => p.type === 'buf' && p.min);
    out.push('', `static int32_t wamr_${i.name}(${params.join(', ')})`, '{', '    (void)env;');
    if (mins.length > 0) {
      out.push(`    if (${mins.map((p) => `${snake(p.name)}_len < ${p.min}u`).join(' || ')}) return HAL_EINVAL;`);
    }
    out.push(`    return ${i.name}(${args.join(', ')});`, '}');
  }
  out.push('',
    '/* Not const: wasm_runtime_register_natives sorts the table in place and keeps it.',
    ' * WAMR stores natives as void * (its API; only -Wpedantic objects to the cast). */',
    'static NativeSymbol sealink_hal_natives[] = {');
  for (const i of c.imports) out.push(`    { "${i.name}", (void *)wamr_${i.name}, "${wamrSignature(i)}", NULL },`);
  out.push('};', '',
    'uint32_t sealink_hal_native_symbols(struct NativeSymbol **out)', '{',
    '    *out = sealink_hal_natives;',
    '    return (uint32_t)(sizeof sealink_hal_natives / sizeof sealink_hal_natives[0]);', '}');
  return out.join('\n') + '\n';
}

function genShim(): string {
  return [
    `/* ${HEADER}. */`, '',
    '/*',
    ' * The two declarations of WAMR\'s wasm_export.h that sealink_wamr_natives.c uses,',
    ' * for compile checks where WAMR is not installed. Each is skipped when the real',
    ' * header (guard _WASM_EXPORT_H, NativeSymbol from lib_export.h) came first.',
    ' */',
    '#ifndef SEALINK_WAMR_EXPORT_SHIM_H', '#define SEALINK_WAMR_EXPORT_SHIM_H', '',
    '#ifndef _WASM_EXPORT_H',
    '#ifndef _LIB_EXPORT_H_',
    'typedef struct NativeSymbol {',
    '    const char *symbol;',
    '    void *func_ptr;',
    '    const char *signature;',
    '    void *attachment;',
    '} NativeSymbol;',
    '#endif',
    'struct WASMExecEnv;',
    'typedef struct WASMExecEnv *wasm_exec_env_t;',
    '#endif', '', '#endif /* SEALINK_WAMR_EXPORT_SHIM_H */',
  ].join('\n') + '\n';
}

// ---- Node bindings ----

function tsParams(i: Import): string {
  return i.params.map((p) => `${p.name}: ${p.type === 'buf' ? 'Uint8Array' : 'number'}`).join(', ');
}

function genNode(c: Contract): string {
  const out = [
    `// ${HEADER}.`, '//',
    `// Node binding of the HAL: bindHal(impl, memory) builds the "${c.module}" import object.`,
    '// Every (ptr, len) is checked against the memory and the contract\'s minimum',
    '// before the implementation runs (HAL_EINVAL otherwise), the implementation',
    '// gets Uint8Array views into the memory (no copies: valid only during the',
    '// call), and nothing is ever thrown into wasm (a throw becomes HAL_EIO).', '',
    `export const HAL_MODULE = '${c.module}';`, `export const HAL_VERSION = ${c.version};`, '',
  ];
  for (const s of c.status) out.push(`/** ${s.doc} */`, `export const ${s.name} = ${s.value};`);
  out.push('');
  for (const cap of c.capabilities) out.push(`/** ${cap.doc} */`, `export const ${cap.name} = ${capValue(cap.bit)};`);
  out.push('', '/** A board HAL in JS. Buffers are views into the core\'s memory, valid only during the call. */',
    'export interface HalImpl {');
  for (const i of c.imports) {
    out.push(`  /** ${i.doc}${i.optional ? ` Optional (${i.optional}): absent means HAL_ENOTSUP.` : ''} */`,
      `  ${i.name}${i.optional ? '?' : ''}(${tsParams(i)}): number;`);
  }
  out.push('}', '',
    '/** Names of the implementation methods every HalImpl must have. */',
    `export const HAL_REQUIRED: readonly string[] = ${JSON.stringify(c.imports.filter((i) => !i.optional).map((i) => i.name))};`, '',
    'function defaultLog(what: string, error: unknown): void {',
    '  console.error(`sealink hal: ${what}:`, error);',
    '}', '',
    `/** The wasm import object for module "${c.module}" over \`impl\`; \`memory\` is read at each call. */`,
    'export function bindHal(impl: HalImpl, memory: () => WebAssembly.Memory,',
    '  log: (what: string, error: unknown) => void = defaultLog): Record<string, Function> {',
    '  for (const name of HAL_REQUIRED) {',
    '    if (typeof (impl as unknown as Record<string, unknown>)[name] !== \'function\') {',
    '      throw new TypeError(`bindHal: the implementation lacks ${name}`);',
    '    }',
    '  }',
    '  /** A view of [ptr, len) or null when it leaves the memory or is shorter than min. */',
    '  function view(ptr: number, len: number, min: number): Uint8Array | null {',
    '    const buffer = memory().buffer;',
    '    const p = ptr >>> 0;',
    '    const n = len >>> 0;',
    '    if (n < min || p + n > buffer.byteLength) return null;',
    '    return new Uint8Array(buffer, p, n);',
    '  }',
    '  function done(name: string, r: unknown): number {',
    '    if (Number.isInteger(r) && (r as number) >= -0x80000000 && (r as number) <= 0x7fffffff) return r as number;',
    '    log(name, new TypeError(`returned ${String(r)}, not an i32`));',
    '    return HAL_EIO;',
    '  }',
    '  function fail(name: string, error: unknown): number {',
    '    log(name, error);',
    '    return HAL_EIO;',
    '  }',
    '  return {');
  for (const i of c.imports) {
    const wasm = i.params.flatMap((p) => (p.type === 'buf' ? [`${p.name}Ptr: number`, `${p.name}Len: number`] : [`${p.name}: number`]));
    const args = i.params.map((p) => (p.type === 'i32' ? `${p.name} | 0` : p.type === 'u32' ? `${p.name} >>> 0` : p.name));
    out.push(`    ${i.name}(${wasm.join(', ')}): number {`);
    if (i.optional) out.push(`      const f = impl.${i.name};`, '      if (f === undefined) return HAL_ENOTSUP;');
    out.push('      try {');
    for (const p of i.params.filter((q) => q.type === 'buf')) {
      out.push(`        const ${p.name} = view(${p.name}Ptr, ${p.name}Len, ${p.min ?? 0});`, `        if (${p.name} === null) return HAL_EINVAL;`);
    }
    const callee = i.optional ? 'f.call(impl, ' : `impl.${i.name}(`;
    out.push(`        return done('${i.name}', ${callee}${args.join(', ')}));`,
      `      } catch (error) { return fail('${i.name}', error); }`, '    },');
  }
  out.push('  };', '}');
  return out.join('\n') + '\n';
}

/** Every generated file (path relative to the repository root -> content) for a contract. */
export function generate(c: Contract): Map<string, string> {
  validateContract(c);
  return new Map([
    [OUTPUTS.as, genAs(c)],
    [OUTPUTS.header, genHeader(c)],
    [OUTPUTS.natives, genNatives(c)],
    [OUTPUTS.shim, genShim()],
    [OUTPUTS.node, genNode(c)],
  ]);
}

export function readContract(root: string): Contract {
  return JSON.parse(readFileSync(join(root, CONTRACT_PATH), 'utf8')) as Contract;
}

/** Generated files under `root` that are missing or differ from what the contract generates. */
export function staleFiles(root: string): string[] {
  const stale: string[] = [];
  for (const [path, text] of generate(readContract(root))) {
    const file = join(root, path);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(path);
  }
  return stale;
}

function main(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (process.argv.includes('--check')) {
    const stale = staleFiles(root);
    if (stale.length > 0) {
      console.error(`stale HAL files (run \`npm run gen:hal\`):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('HAL files are up to date with hal/contract.json');
    return;
  }
  for (const [path, text] of generate(readContract(root))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
