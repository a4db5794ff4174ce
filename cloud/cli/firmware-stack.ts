// A static bound on the WASM stack the core needs under WAMR's interpreter:
// per function, the cells of its parameters and locals plus its deepest
// operand stack; per call chain, their sum plus a frame header; the result is
// the deepest chain from an entry point. It sizes the execution stack a board
// gives WAMR (sealink_runner_config.stack_bytes). Recursion makes the bound
// infinite and is reported as such (the core has none).
//
// VARIABLE TIME and no secrets: this reads the public module.

const I64 = 0x7e;
const F64 = 0x7c;
/** Bytes WAMR's classic interpreter adds per frame (WASMInterpFrame on a 32-bit target, rounded up). */
export const FRAME_HEADER_BYTES = 64;

export interface StackBound {
  /** Worst-case bytes over every exported function. */
  bytes: number;
  /** Deepest call chain behind that figure (function indices or names). */
  chain: string[];
  /** True when the call graph has a cycle: no static bound exists. */
  recursive: boolean;
}

class R {
  constructor(readonly b: Uint8Array, public at = 0) {}
  u8(): number { return this.b[this.at++]; }
  u32(): number {
    let r = 0, s = 0;
    for (;;) {
      const x = this.u8();
      r += (x & 0x7f) * 2 ** s;
      if (!(x & 0x80)) return r;
      s += 7;
    }
  }
  sleb(): void { while (this.u8() & 0x80) { /* skip */ } }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
}

interface FuncType { params: number[]; results: number[] }
interface Body { cells: number; maxValues: number; callees: number[] }

const cellsOf = (t: number) => (t === I64 || t === F64 ? 2 : 1);

/** Max operand-stack depth (values) and direct callees of one function body. */
function analyseBody(r: R, end: number, types: FuncType[], funcTypes: number[]): { maxValues: number; callees: number[] } {
  let height = 0, max = 0;
  const ctrl: { height: number; results: number }[] = [{ height: 0, results: 0 }];
  const callees: number[] = [];
  const pop = (n: number) => { height = Math.max(ctrl[ctrl.length - 1].height, height - n); };
  const push = (n: number) => { height += n; if (height > max) max = height; };
  const blockResults = () => {
    const bt = r.b[r.at];
    if (bt === 0x40) { r.at++; return 0; }
    if (bt >= 0x6f && bt <= 0x7f) { r.at++; return 1; }
    const idx = r.u32();
    return types[idx]?.results.length ?? 0;
  };
  while (r.at < end) {
    const op = r.u8();
    if (op === 0x02 || op === 0x03) { const n = blockResults(); ctrl.push({ height, results: n }); }
    else if (op === 0x04) { const n = blockResults(); pop(1); ctrl.push({ height, results: n }); }
    else if (op === 0x05) { height = ctrl[ctrl.length - 1].height; }
    else if (op === 0x0b) {
      const c = ctrl.pop()!;
      if (ctrl.length === 0) break;
      height = c.height; push(c.results);
    }
    else if (op === 0x00 || op === 0x0f) { height = ctrl[ctrl.length - 1].height; }
    else if (op === 0x01) { /* nop */ }
    else if (op === 0x0c) { r.u32(); height = ctrl[ctrl.length - 1].height; }
    else if (op === 0x0d) { r.u32(); pop(1); }
    else if (op === 0x0e) { for (let n = r.u32(); n >= 0; n--) r.u32(); height = ctrl[ctrl.length - 1].height; }
    else if (op === 0x10) {
      const f = r.u32();
      callees.push(f);
      const t = types[funcTypes[f]];
      pop(t?.params.length ?? 0); push(t?.results.length ?? 0);
    }
    else if (op === 0x11) {
      const t = types[r.u32()]; r.u32();
      pop(1 + (t?.params.length ?? 0)); push(t?.results.length ?? 0);
      callees.push(-1); // indirect: unknown target
    }
    else if (op === 0x1a) pop(1);
    else if (op === 0x1b) pop(2);
    else if (op === 0x1c) { for (let n = r.u32(); n > 0; n--) r.u8(); pop(2); }
    else if (op === 0x20 || op === 0x23) { r.u32(); push(1); }
    else if (op === 0x21 || op === 0x24) { r.u32(); pop(1); }
    else if (op === 0x22) r.u32();
    else if (op === 0x25) { r.u32(); }
    else if (op === 0x26) { r.u32(); pop(2); }
    else if (op >= 0x28 && op <= 0x35) { r.u32(); r.u32(); }
    else if (op >= 0x36 && op <= 0x3e) { r.u32(); r.u32(); pop(2); }
    else if (op === 0x3f) { r.u8(); push(1); }
    else if (op === 0x40) { r.u8(); }
    else if (op === 0x41 || op === 0x42) { r.sleb(); push(1); }
    else if (op === 0x43) { r.at += 4; push(1); }
    else if (op === 0x44) { r.at += 8; push(1); }
    else if (op === 0x45 || op === 0x50) { /* eqz */ }
    else if ((op >= 0x46 && op <= 0x4f) || (op >= 0x51 && op <= 0x66)) pop(1);
    else if ((op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7b) || (op >= 0x8b && op <= 0x91)
      || (op >= 0x99 && op <= 0x9f) || (op >= 0xa7 && op <= 0xc4)) { /* unary, conversions */ }
    else if ((op >= 0x6a && op <= 0x78) || (op >= 0x7c && op <= 0x8a) || (op >= 0x92 && op <= 0x98)
      || (op >= 0xa0 && op <= 0xa6)) pop(1);
    else if (op === 0xd0) { r.u8(); push(1); }
    else if (op === 0xd1) { /* ref.is_null */ }
    else if (op === 0xd2) { r.u32(); push(1); }
    else if (op === 0xfc) {
      const sub = r.u32();
      if (sub <= 7) { /* trunc_sat */ }
      else if (sub === 8) { r.u32(); r.u8(); pop(3); }
      else if (sub === 9) r.u32();
      else if (sub === 10) { r.u8(); r.u8(); pop(3); }
      else if (sub === 11) { r.u8(); pop(3); }
      else if (sub === 12 || sub === 14) { r.u32(); r.u32(); pop(3); }
      else if (sub === 13) r.u32();
      else if (sub >= 15 && sub <= 17) { r.u32(); pop(sub === 16 ? 0 : sub === 15 ? 1 : 3); if (sub === 16) push(1); }
      else throw new Error(`stack bound: unknown 0xfc ${sub}`);
    }
    else throw new Error(`stack bound: opcode 0x${op.toString(16)} not understood (a feature the core must not use?)`);
  }
  return { maxValues: max, callees };
}

/** Static stack bound of a module (see the file header). */
export function wasmStackBound(bytes: Uint8Array): StackBound {
  const r = new R(bytes, 8);
  const types: FuncType[] = [];
  const funcTypes: number[] = [];
  const exports: { name: string; index: number }[] = [];
  const names = new Map<number, string>();
  const bodies: Body[] = [];
  let imported = 0;
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const end = r.at + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        r.u8();
        const params = Array.from({ length: r.u32() }, () => r.u8());
        const results = Array.from({ length: r.u32() }, () => r.u8());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name(); r.name();
        const kind = r.u8();
        if (kind === 0) { funcTypes.push(r.u32()); imported++; }
        else if (kind === 1) { r.u8(); const f = r.u8(); r.u32(); if (f & 1) r.u32(); }
        else if (kind === 2) { const f = r.u8(); r.u32(); if (f & 1) r.u32(); }
        else { r.u8(); r.u8(); }
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name(); const kind = r.u8(); const index = r.u32();
        if (kind === 0) exports.push({ name, index });
      }
    } else if (id === 10) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const len = r.u32();
        const bodyEnd = r.at + len;
        const f = imported + i;
        const t = types[funcTypes[f]];
        let cells = t.params.reduce((a, p) => a + cellsOf(p), 0);
        for (let n = r.u32(); n > 0; n--) { const c = r.u32(); cells += c * cellsOf(r.u8()); }
        const { maxValues, callees } = analyseBody(r, bodyEnd, types, funcTypes);
        bodies.push({ cells, maxValues, callees });
        r.at = bodyEnd;
      }
    } else if (id === 0 && r.name() === 'name') {
      while (r.at < end) {
        const sub = r.u8(); const len = r.u32(); const subEnd = r.at + len;
        if (sub === 1) for (let n = r.u32(); n > 0; n--) { const idx = r.u32(); names.set(idx, r.name()); }
        r.at = subEnd;
      }
    }
    r.at = end;
  }
  // A value is at most 2 cells (i64): count every operand as 8 bytes, locals exactly.
  const frame = (f: number) => { const b = bodies[f - imported]; return b ? FRAME_HEADER_BYTES + 4 * b.cells + 8 * b.maxValues : 0; };
  const memo = new Map<number, { bytes: number; chain: number[] }>();
  const visiting = new Set<number>();
  let recursive = false;
  const worst = (f: number): { bytes: number; chain: number[] } => {
    if (f < imported || f < 0) return { bytes: 0, chain: [] };
    const hit = memo.get(f);
    if (hit) return hit;
    if (visiting.has(f)) { recursive = true; return { bytes: 0, chain: [] }; }
    visiting.add(f);
    let best = { bytes: 0, chain: [] as number[] };
    for (const c of new Set(bodies[f - imported].callees)) {
      const w = worst(c);
      if (w.bytes > best.bytes) best = w;
    }
    visiting.delete(f);
    const out = { bytes: frame(f) + best.bytes, chain: [f, ...best.chain] };
    memo.set(f, out);
    return out;
  };
  let top = { bytes: 0, chain: [] as number[] };
  for (const e of exports) {
    const w = worst(e.index);
    if (w.bytes > top.bytes) top = w;
  }
  const label = (f: number) => names.get(f) ?? exports.find((e) => e.index === f)?.name ?? `func ${f}`;
  return { bytes: top.bytes, chain: top.chain.map(label), recursive };
}
