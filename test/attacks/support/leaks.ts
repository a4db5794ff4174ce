// Searching a capture for a secret or an identity in any common encoding:
// raw bytes (any 8-byte window, so a partial leak counts too), hex (lower and
// upper case, any 8-byte window), base64 and base64url at each of the three
// byte alignments the value can have inside a longer encoded blob, base58btc,
// and whole strings (a did:key) as ASCII.

const WINDOW = 8;

export interface Needle {
  what: string;
  encoding: string;
  bytes: Uint8Array;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** base64 of `v` as it appears at byte offset (3k + shift) of a longer value: the characters that depend on `v` alone. */
function base64Cores(v: Uint8Array, url: boolean): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + v.length);
    padded.set(v, shift);
    const s = Buffer.from(padded).toString(url ? 'base64url' : 'base64');
    // The first ceil(8*shift/6) characters mix in the prefix; the last group may mix in a suffix.
    const start = Math.ceil((8 * shift) / 6);
    const end = Math.floor((8 * (shift + v.length)) / 6);
    out.push(s.slice(start, end));
  }
  return out;
}

/** Every needle for a binary value (a key). */
export function binaryNeedles(what: string, v: Uint8Array, base58?: (b: Uint8Array) => string): Needle[] {
  const out: Needle[] = [];
  for (let i = 0; i + WINDOW <= v.length; i++) {
    const w = v.subarray(i, i + WINDOW);
    out.push({ what, encoding: `raw[${i}..${i + WINDOW}]`, bytes: w.slice() });
    const h = Buffer.from(w).toString('hex');
    out.push({ what, encoding: `hex[${i}..]`, bytes: ascii(h) });
    out.push({ what, encoding: `HEX[${i}..]`, bytes: ascii(h.toUpperCase()) });
  }
  base64Cores(v, false).forEach((s, k) => out.push({ what, encoding: `base64@${k}`, bytes: ascii(s) }));
  base64Cores(v, true).forEach((s, k) => out.push({ what, encoding: `base64url@${k}`, bytes: ascii(s) }));
  if (base58 !== undefined) out.push({ what, encoding: 'base58', bytes: ascii(base58(v)) });
  return out;
}

/** Needles for a text value (a did:key, a plaintext marker): the text, any 8-character window, and its hex/base64. */
export function textNeedles(what: string, s: string): Needle[] {
  const out: Needle[] = [{ what, encoding: 'ascii', bytes: ascii(s) }];
  for (let i = 0; i + WINDOW <= s.length; i += 4) out.push({ what, encoding: `ascii[${i}..]`, bytes: ascii(s.slice(i, i + WINDOW)) });
  out.push(...binaryNeedles(what, ascii(s)).filter((n) => !n.encoding.startsWith('raw')));
  return out;
}

/** Index of `needle` in `hay`, or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength));
}

/** The needles found in `hay` (empty when clean). */
export function findLeaks(hay: Uint8Array, needles: Needle[]): string[] {
  const found: string[] = [];
  for (const n of needles) {
    const at = indexOf(hay, n.bytes);
    if (at >= 0) found.push(`${n.what} as ${n.encoding} at byte ${at}`);
  }
  return found;
}
