// Reads the facts the build checks from a compiled module: sections, imports,
// exports, globals, function body sizes and (when present) function names.
// A tiny binary reader is enough because we only walk section structure; the
// instruction-level checks use wabt's disassembly (see checkModule).

export interface WasmFacts {
  size: number;
  sections: { id: number; name: string; size: number }[];
  imports: { module: string; name: string; kind: number }[];
  exports: { name: string; kind: number; index: number }[];
  globals: { type: number; mutable: boolean; init: number | null }[];
  importedFunctions: number;
  /** Body size in bytes of each defined function, in index order (imports excluded). */
  bodySizes: number[];
  /** Function index -> name, from the `name` section when the module has one. */
  names: Map<number, string>;
  /** Total bytes of data segments. */
  dataBytes: number;
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'datacount'];

class Reader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  u8(): number { return this.b[this.at++]; }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  s32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.u8();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 32 && (byte & 0x40)) result |= -1 << shift;
    return result;
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + len));
    this.at += len;
    return s;
  }
  skipLimits(): void {
    const flags = this.u8();
    this.u32();
    if (flags & 1) this.u32();
  }
  /** Constant init expression: returns the i32 value when it is a single i32.const. */
  initExpr(): number | null {
    const op = this.u8();
    let value: number | null = null;
    if (op === 0x41) value = this.s32();
    else if (op === 0x42 || op === 0x23) this.s32();
    else if (op === 0x43) this.at += 4;
    else if (op === 0x44) this.at += 8;
    if (this.u8() !== 0x0b) value = null; // not a lone constant; callers treat as unknown
    return value;
  }
}

/** Parses the structure of a wasm binary. Throws on a malformed module. */
export function inspectWasm(bytes: Uint8Array): WasmFacts {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((v, i) => bytes[i] === v)) throw new Error('not a wasm v1 module');
  r.at = 8;
  const facts: WasmFacts = {
    size: bytes.length, sections: [], imports: [], exports: [], globals: [], importedFunctions: 0,
    bodySizes: [], names: new Map(), dataBytes: 0,
  };
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const start = r.at;
    const end = start + size;
    let name = SECTION_NAMES[id] ?? `unknown(${id})`;
    const s = new Reader(bytes, start);
    if (id === 0) {
      const custom = s.name();
      name = `custom:${custom}`;
      if (custom === 'name') readNames(s, end, facts.names);
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name();
        const field = s.name();
        const kind = s.u8();
        if (kind === 0) { s.u32(); facts.importedFunctions++; }
        else if (kind === 1) { s.u8(); s.skipLimits(); }
        else if (kind === 2) s.skipLimits();
        else if (kind === 3) { s.u8(); s.u8(); }
        facts.imports.push({ module, name: field, kind });
      }
    } else if (id === 6) {
      for (let n = s.u32(); n > 0; n--) {
        const type = s.u8();
        const mutable = s.u8() === 1;
        facts.globals.push({ type, mutable, init: s.initExpr() });
      }
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) facts.exports.push({ name: s.name(), kind: s.u8(), index: s.u32() });
    } else if (id === 10) {
      for (let n = s.u32(); n > 0; n--) {
        const bodySize = s.u32();
        facts.bodySizes.push(bodySize);
        s.at += bodySize;
      }
    } else if (id === 11) {
      for (let n = s.u32(); n > 0; n--) {
        const flags = s.u32();
        if (flags === 0) s.initExpr();
        else if (flags === 2) { s.u32(); s.initExpr(); }
        const len = s.u32();
        facts.dataBytes += len;
        s.at += len;
      }
    }
    facts.sections.push({ id, name, size });
    r.at = end;
  }
  return facts;
}

function readNames(s: Reader, end: number, names: Map<number, string>): void {
  while (s.at < end) {
    const sub = s.u8();
    const size = s.u32();
    const next = s.at + size;
    if (sub === 1) {
      for (let n = s.u32(); n > 0; n--) {
        const index = s.u32();
        names.set(index, s.name());
      }
    }
    s.at = next;
  }
}

/** Maps an AssemblyScript internal function name to the source part it belongs to. */
export function partOf(functionName: string): string {
  // asc names functions "<path without .ts>/<name>", e.g. "firmware/crypto/sha256/sha256Update".
  const m = /^(firmware\/(?:[\w-]+\/)*[\w-]+)\/[^/]+$/.exec(functionName);
  if (m) return m[1].replace(/^firmware\//, '');
  if (functionName.startsWith('~lib/')) return 'std (AssemblyScript)';
  return 'other';
}
