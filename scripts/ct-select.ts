// The `select` check: WAMR's fast interpreter executes the wasm `select`
// opcode as a C branch, so a select whose condition is a secret leaks it
// through timing on the device even where a compiler (wasm2c + gcc, V8) would
// emit a conditional move. Only functions that are VARIABLE TIME by design,
// with public inputs, may contain one; each is listed below with the reason.
// Run by test/ct-select.test.ts on build/sealink-core.names.wasm (the release
// module with a name section), since the release module has no names.

import type wabtInit from 'wabt';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;

/** Name prefixes of the functions checked: the crypto, the protocol, the entry points (binaryen inlines primitives into them) and the std helpers they call. */
export const CHECKED_PREFIXES = ['firmware/crypto/', 'firmware/protocol/', 'firmware/readings/', 'firmware/index/', '~lib/'];

/**
 * VARIABLE TIME functions allowed to contain `select`, because every input
 * they branch on is public. Add an entry only with that argument, and mark the
 * function `// VARIABLE TIME: inputs are public` in its source.
 */
export const SELECT_ALLOWED: Readonly<Record<string, string>> = {
  // Signature verification: public key, message and signature are all public
  // (firmware/crypto/ed25519.ts). The select picks the returned status from
  // the public verdict.
  'firmware/crypto/ed25519/ed25519Verify': 'verification: public key, message and signature are public',
  // Boot-time replay of the device's own queued records (firmware/readings/
  // sealer.ts): record headers, sequence numbers and chain values are public
  // (the relay sees them all); no key is involved.
  'firmware/readings/sealer/readingsReplay': 'replay of queued records: headers, seq and chain are public',
};

/** Each named function of `wasm` that contains `select` (typed or not), with how many. */
export function functionsWithSelect(wabt: Wabt, wasm: Uint8Array): Map<string, number> {
  const module = wabt.readWasm(wasm, { readDebugNames: true });
  try {
    module.applyNames();
    const text = module.toText({ foldExprs: false, inlineExport: false });
    const found = new Map<string, number>();
    let fn: string | null = null;
    let anonymous = 0;
    for (const line of text.split('\n')) {
      const head = /^\s*\(func(?:\s+\$(\S+))?/.exec(line);
      if (head) {
        fn = head[1] ?? null;
        if (fn === null) anonymous++;
        continue;
      }
      if (/^\s*select\b/.test(line)) {
        const key = fn ?? `(unnamed function #${anonymous})`;
        found.set(key, (found.get(key) ?? 0) + 1);
      }
    }
    return found;
  } finally {
    module.destroy();
  }
}

export interface SelectReport {
  /** Checked functions containing select: name -> count. */
  found: Map<string, number>;
  /** Why the module fails the check (empty when it passes). */
  problems: string[];
}

/** Fails every checked function with a select that is not on `allowed`, and a module without function names. */
export function checkSelect(wabt: Wabt, wasm: Uint8Array, allowed: Readonly<Record<string, string>> = SELECT_ALLOWED): SelectReport {
  const all = functionsWithSelect(wabt, wasm);
  const problems: string[] = [];
  const found = new Map<string, number>();
  for (const [fn, n] of all) {
    if (fn.startsWith('(unnamed')) {
      problems.push(`${fn} contains select and the module has no name for it: check build/sealink-core.names.wasm`);
      continue;
    }
    if (!CHECKED_PREFIXES.some((p) => fn.startsWith(p))) continue;
    found.set(fn, n);
    if (!(fn in allowed)) {
      problems.push(`${fn} contains ${n} select instruction(s): WAMR runs select as a branch. Use mask arithmetic`
        + ' (firmware/crypto/ct.ts), or, for a VARIABLE TIME function with public inputs only, add it to SELECT_ALLOWED in scripts/ct-select.ts with the reason');
    }
  }
  return { found, problems };
}

/** The module without its custom sections (name, sourceMappingURL): equal for the release and names builds. */
export function withoutCustomSections(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  while (at < b.length) {
    const start = at;
    const id = b[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    at += size;
    if (id !== 0) parts.push(b.subarray(start, at));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
