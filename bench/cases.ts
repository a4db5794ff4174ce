// The benchmarked primitives and, for each, the same operation in four
// implementations: the WASM core through its binding, the core's raw exports
// (inputs already in the exchange buffer), @noble/* and node:crypto.
//
// Each implementation is a factory that does its setup (key objects, input
// placement) outside the timed loop and returns a Cell: `run` is what gets
// timed, `result` returns the outcome as bytes so the implementations can be
// compared before anything is timed. For open/verify the result also records
// whether a tampered input is rejected, so an implementation that accepts
// everything cannot pass the check and then look fast.

import * as nodeCrypto from 'node:crypto';
import { sha256 as nSha256, sha512 as nSha512 } from '@noble/hashes/sha2.js';
import { hmac as nHmac } from '@noble/hashes/hmac.js';
import { hkdf as nHkdf } from '@noble/hashes/hkdf.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import type { Core } from '../hal/node/core.ts';

export const KINDS = ['binding', 'raw', 'noble', 'node'] as const;
export type Kind = (typeof KINDS)[number];

export const KIND_LABEL: Record<Kind, string> = {
  binding: 'core (binding)',
  raw: 'core (raw exports)',
  noble: '@noble',
  node: 'node:crypto',
};

export interface Cell {
  /** The timed operation. */
  run(): unknown;
  /** The operation's outcome as bytes, for the cross-check. */
  result(): Uint8Array;
}

export interface Case {
  id: string;
  label: string;
  /** Absent kinds are not applicable. */
  impls: Partial<Record<Kind, (core: Core) => Cell>>;
}

// ---- inputs: fixed pseudo-random bytes, the same for every implementation ----

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = (seed * 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

const MSG64 = bytes(64, 1);
const MSG1K = bytes(1024, 2);
const HMAC_KEY = bytes(32, 3);
const HKDF_IKM = bytes(32, 4);
const HKDF_SALT = bytes(32, 5);
const HKDF_INFO = bytes(16, 6);
const AEAD_KEY = bytes(32, 7);
const AEAD_NONCE = bytes(12, 8);
/** 16 bytes of associated data on every AEAD call (a reading's AAD is of this order). */
const AEAD_AAD = bytes(16, 9);
const X_SCALAR = bytes(32, 10);
const X_PEER_SCALAR = bytes(32, 11);
const X_PEER_U = x25519.getPublicKey(X_PEER_SCALAR);
const X_BASE_U = (() => { const u = new Uint8Array(32); u[0] = 9; return u; })();
const ED_SEED = bytes(32, 12);
const ED_PUB = ed25519.getPublicKey(ED_SEED);
const ED_SIG64 = ed25519.sign(MSG64, ED_SEED);

const SEALED64 = chacha20poly1305(AEAD_KEY, AEAD_NONCE, AEAD_AAD).encrypt(MSG64);
const SEALED1K = chacha20poly1305(AEAD_KEY, AEAD_NONCE, AEAD_AAD).encrypt(MSG1K);

function tampered(b: Uint8Array, at = 0): Uint8Array {
  const c = b.slice();
  c[at] ^= 1;
  return c;
}
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const flag = (b: boolean): Uint8Array => Uint8Array.of(b ? 1 : 0);
const u8 = (b: Uint8Array | ArrayBuffer): Uint8Array => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));

// ---- node:crypto key objects, as a relay would cache them ----

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
function nodeX25519Private(scalar: Uint8Array): nodeCrypto.KeyObject {
  return nodeCrypto.createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: b64u(scalar), x: b64u(x25519.getPublicKey(scalar)) }, format: 'jwk',
  });
}
function nodeX25519Public(u: Uint8Array): nodeCrypto.KeyObject {
  return nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(u) }, format: 'jwk' });
}

/** One-shot hash: crypto.hash (Node >= 20.12) when present, createHash otherwise. */
const nodeHash: (alg: string, data: Uint8Array) => Uint8Array =
  typeof (nodeCrypto as { hash?: unknown }).hash === 'function'
    ? (alg, data) => nodeCrypto.hash(alg, data, 'buffer')
    : (alg, data) => nodeCrypto.createHash(alg).update(data).digest();

// ---- raw exports: inputs placed once at fixed offsets; outputs at OUT ----

const OUT = 4096;
const STATUS_OK = 0;
const STATUS_AUTH = -1;

class RawStatusError extends Error {}

function rawIo(core: Core) {
  const x = core.exports;
  const base = x.fw_io_ptr();
  const mem = () => new Uint8Array(x.memory.buffer);
  return {
    x,
    put(off: number, b: Uint8Array): void { mem().set(b, base + off); },
    get(off: number, len: number): Uint8Array { return mem().slice(base + off, base + off + len); },
    flip(off: number): void { mem()[base + off] ^= 1; },
    ok(status: number, what: string): void {
      if (status !== STATUS_OK) throw new RawStatusError(`${what}: status ${status}`);
    },
  };
}

/** A raw cell whose run returns a status and whose output is `outLen` bytes at OUT. */
function rawCell(core: Core, place: (io: ReturnType<typeof rawIo>) => void,
  run: (x: Core['exports']) => number, outLen: number, what: string): Cell {
  const io = rawIo(core);
  place(io);
  const x = io.x;
  return {
    run: () => run(x),
    result: () => { io.ok(run(x), what); return io.get(OUT, outLen); },
  };
}

// ---- the cases ----

function hashCase(id: string, label: string, alg: 'sha256' | 'sha512', msg: Uint8Array): Case {
  const outLen = alg === 'sha256' ? 32 : 64;
  const noble = alg === 'sha256' ? nSha256 : nSha512;
  return {
    id, label,
    impls: {
      binding: (core) => {
        const f = alg === 'sha256' ? core.sha256 : core.sha512;
        return { run: () => f(msg), result: () => f(msg) };
      },
      raw: (core) => rawCell(core, (io) => io.put(0, msg), alg === 'sha256'
        ? (x) => { x.crypto_sha256_init(); x.crypto_sha256_update(0, msg.length); return x.crypto_sha256_final(OUT); }
        : (x) => { x.crypto_sha512_init(); x.crypto_sha512_update(0, msg.length); return x.crypto_sha512_final(OUT); },
      outLen, alg),
      noble: () => ({ run: () => noble(msg), result: () => noble(msg) }),
      node: () => ({ run: () => nodeHash(alg, msg), result: () => u8(nodeHash(alg, msg)) }),
    },
  };
}

function aeadSealCase(id: string, label: string, pt: Uint8Array): Case {
  return {
    id, label,
    impls: {
      binding: (core) => {
        const f = () => core.aeadSeal(AEAD_KEY, AEAD_NONCE, AEAD_AAD, pt);
        return { run: f, result: f };
      },
      raw: (core) => rawCell(core, (io) => {
        io.put(0, AEAD_KEY); io.put(32, AEAD_NONCE); io.put(44, AEAD_AAD); io.put(64, pt);
      }, (x) => x.crypto_aead_seal(0, 32, 44, AEAD_AAD.length, 64, pt.length, OUT), pt.length + 16, 'aead_seal'),
      noble: () => {
        const f = () => chacha20poly1305(AEAD_KEY, AEAD_NONCE, AEAD_AAD).encrypt(pt);
        return { run: f, result: f };
      },
      node: () => {
        const key = nodeCrypto.createSecretKey(AEAD_KEY);
        const f = () => {
          const c = nodeCrypto.createCipheriv('chacha20-poly1305', key, AEAD_NONCE, { authTagLength: 16 });
          c.setAAD(AEAD_AAD, { plaintextLength: pt.length });
          const ct = c.update(pt);
          c.final();
          return Buffer.concat([ct, c.getAuthTag()]);
        };
        return { run: f, result: () => u8(f()) };
      },
    },
  };
}

function aeadOpenCase(id: string, label: string, pt: Uint8Array, sealed: Uint8Array): Case {
  const bad = tampered(sealed, sealed.length - 1); // last tag byte
  return {
    id, label,
    impls: {
      binding: (core) => ({
        run: () => core.aeadOpen(AEAD_KEY, AEAD_NONCE, AEAD_AAD, sealed),
        result: () => {
          const p = core.aeadOpen(AEAD_KEY, AEAD_NONCE, AEAD_AAD, sealed);
          const rejected = core.aeadOpen(AEAD_KEY, AEAD_NONCE, AEAD_AAD, bad) === null;
          return concat(p ?? new Uint8Array(0), flag(p !== null), flag(rejected));
        },
      }),
      raw: (core) => {
        const io = rawIo(core);
        io.put(0, AEAD_KEY); io.put(32, AEAD_NONCE); io.put(44, AEAD_AAD); io.put(64, sealed);
        const x = io.x;
        const f = () => x.crypto_aead_open(0, 32, 44, AEAD_AAD.length, 64, sealed.length, OUT);
        return {
          run: f,
          result: () => {
            const s = f();
            if (s !== STATUS_OK && s !== STATUS_AUTH) io.ok(s, 'aead_open');
            const p = s === STATUS_OK ? io.get(OUT, pt.length) : new Uint8Array(0);
            io.flip(64 + sealed.length - 1);
            const sBad = f();
            io.flip(64 + sealed.length - 1);
            if (sBad !== STATUS_OK && sBad !== STATUS_AUTH) io.ok(sBad, 'aead_open');
            return concat(p, flag(s === STATUS_OK), flag(sBad === STATUS_AUTH));
          },
        };
      },
      noble: () => {
        const open = (c: Uint8Array): Uint8Array | null => {
          try { return chacha20poly1305(AEAD_KEY, AEAD_NONCE, AEAD_AAD).decrypt(c); } catch { return null; }
        };
        return {
          run: () => chacha20poly1305(AEAD_KEY, AEAD_NONCE, AEAD_AAD).decrypt(sealed),
          result: () => { const p = open(sealed); return concat(p ?? new Uint8Array(0), flag(p !== null), flag(open(bad) === null)); },
        };
      },
      node: () => {
        const key = nodeCrypto.createSecretKey(AEAD_KEY);
        const split = (c: Uint8Array) => [c.subarray(0, c.length - 16), c.subarray(c.length - 16)] as const;
        const good = split(sealed);
        const open = ([ct, tag]: readonly [Uint8Array, Uint8Array]): Buffer => {
          const d = nodeCrypto.createDecipheriv('chacha20-poly1305', key, AEAD_NONCE, { authTagLength: 16 });
          d.setAuthTag(tag);
          d.setAAD(AEAD_AAD, { plaintextLength: ct.length });
          const p = d.update(ct);
          d.final(); // throws when the tag is wrong
          return p;
        };
        const tryOpen = (c: Uint8Array): Uint8Array | null => { try { return u8(open(split(c))); } catch { return null; } };
        return {
          run: () => open(good),
          result: () => { const p = tryOpen(sealed); return concat(p ?? new Uint8Array(0), flag(p !== null), flag(tryOpen(bad) === null)); },
        };
      },
    },
  };
}

export const CASES: Case[] = [
  hashCase('sha256-64', 'SHA-256 64 B', 'sha256', MSG64),
  hashCase('sha256-1k', 'SHA-256 1 KiB', 'sha256', MSG1K),
  hashCase('sha512-1k', 'SHA-512 1 KiB', 'sha512', MSG1K),
  {
    id: 'hmac-sha256-64', label: 'HMAC-SHA256 64 B',
    impls: {
      binding: (core) => { const f = () => core.hmacSha256(HMAC_KEY, MSG64); return { run: f, result: f }; },
      raw: (core) => rawCell(core, (io) => { io.put(0, HMAC_KEY); io.put(32, MSG64); }, (x) => {
        x.crypto_hmac_sha256_init(0, HMAC_KEY.length);
        x.crypto_hmac_sha256_update(32, MSG64.length);
        return x.crypto_hmac_sha256_final(OUT);
      }, 32, 'hmac_sha256'),
      noble: () => { const f = () => nHmac(nSha256, HMAC_KEY, MSG64); return { run: f, result: f }; },
      node: () => {
        const key = nodeCrypto.createSecretKey(HMAC_KEY);
        const f = () => nodeCrypto.createHmac('sha256', key).update(MSG64).digest();
        return { run: f, result: () => u8(f()) };
      },
    },
  },
  {
    id: 'hkdf-sha256-32', label: 'HKDF-SHA256 32 B out',
    impls: {
      binding: (core) => { const f = () => core.hkdfSha256(HKDF_IKM, HKDF_SALT, HKDF_INFO, 32); return { run: f, result: f }; },
      raw: (core) => rawCell(core, (io) => { io.put(0, HKDF_SALT); io.put(32, HKDF_IKM); io.put(64, HKDF_INFO); },
        (x) => x.crypto_hkdf_sha256(0, HKDF_SALT.length, 32, HKDF_IKM.length, 64, HKDF_INFO.length, OUT, 32), 32, 'hkdf_sha256'),
      noble: () => { const f = () => nHkdf(nSha256, HKDF_IKM, HKDF_SALT, HKDF_INFO, 32); return { run: f, result: f }; },
      // The IKM is a fresh DH output in a handshake, so it is passed as bytes, not a cached KeyObject.
      node: () => { const f = () => nodeCrypto.hkdfSync('sha256', HKDF_IKM, HKDF_SALT, HKDF_INFO, 32); return { run: f, result: () => u8(f()) }; },
    },
  },
  aeadSealCase('aead-seal-64', 'ChaCha20-Poly1305 seal 64 B', MSG64),
  aeadOpenCase('aead-open-64', 'ChaCha20-Poly1305 open 64 B', MSG64, SEALED64),
  aeadSealCase('aead-seal-1k', 'ChaCha20-Poly1305 seal 1 KiB', MSG1K),
  aeadOpenCase('aead-open-1k', 'ChaCha20-Poly1305 open 1 KiB', MSG1K, SEALED1K),
  {
    id: 'x25519', label: 'X25519 shared secret',
    impls: {
      binding: (core) => { const f = () => core.x25519(X_SCALAR, X_PEER_U); return { run: f, result: f }; },
      raw: (core) => rawCell(core, (io) => { io.put(0, X_SCALAR); io.put(32, X_PEER_U); },
        (x) => x.crypto_x25519(OUT, 0, 32), 32, 'x25519'),
      noble: () => { const f = () => x25519.getSharedSecret(X_SCALAR, X_PEER_U); return { run: f, result: f }; },
      node: () => {
        const privateKey = nodeX25519Private(X_SCALAR);
        const publicKey = nodeX25519Public(X_PEER_U);
        const f = () => nodeCrypto.diffieHellman({ privateKey, publicKey });
        return { run: f, result: () => u8(f()) };
      },
    },
  },
  {
    id: 'x25519-base', label: 'X25519 base (public key)',
    impls: {
      binding: (core) => { const f = () => core.x25519Base(X_SCALAR); return { run: f, result: f }; },
      raw: (core) => rawCell(core, (io) => io.put(0, X_SCALAR), (x) => x.crypto_x25519_base(OUT, 0), 32, 'x25519_base'),
      noble: () => { const f = () => x25519.getPublicKey(X_SCALAR); return { run: f, result: f }; },
      // node:crypto has no "public key from scalar" call short of building a KeyObject (which
      // precomputes it), so this is diffieHellman with u = 9: the same scalar multiplication.
      node: () => {
        const privateKey = nodeX25519Private(X_SCALAR);
        const publicKey = nodeX25519Public(X_BASE_U);
        const f = () => nodeCrypto.diffieHellman({ privateKey, publicKey });
        return { run: f, result: () => u8(f()) };
      },
    },
  },
  {
    id: 'ed25519-sign-64', label: 'Ed25519 sign 64 B',
    impls: {
      binding: (core) => { const f = () => core.ed25519Sign(ED_SEED, MSG64); return { run: f, result: f }; },
      raw: (core) => rawCell(core, (io) => { io.put(0, ED_SEED); io.put(32, MSG64); },
        (x) => x.crypto_ed25519_sign(OUT, 0, 32, MSG64.length), 64, 'ed25519_sign'),
      noble: () => { const f = () => ed25519.sign(MSG64, ED_SEED); return { run: f, result: f }; },
      node: () => {
        const key = nodeCrypto.createPrivateKey({
          key: { kty: 'OKP', crv: 'Ed25519', d: b64u(ED_SEED), x: b64u(ED_PUB) }, format: 'jwk',
        });
        const f = () => nodeCrypto.sign(null, MSG64, key);
        return { run: f, result: () => u8(f()) };
      },
    },
  },
  {
    id: 'ed25519-verify-64', label: 'Ed25519 verify 64 B',
    impls: {
      binding: (core) => ({
        run: () => core.ed25519Verify(ED_PUB, MSG64, ED_SIG64),
        result: () => concat(flag(core.ed25519Verify(ED_PUB, MSG64, ED_SIG64)),
          flag(!core.ed25519Verify(ED_PUB, tampered(MSG64), ED_SIG64))),
      }),
      raw: (core) => {
        const io = rawIo(core);
        io.put(0, ED_PUB); io.put(32, ED_SIG64); io.put(96, MSG64);
        const x = io.x;
        const f = () => x.crypto_ed25519_verify(0, 96, MSG64.length, 32);
        return {
          run: f,
          result: () => {
            const s = f();
            io.flip(96);
            const sBad = f();
            io.flip(96);
            for (const v of [s, sBad]) if (v !== STATUS_OK && v !== STATUS_AUTH) io.ok(v, 'ed25519_verify');
            return concat(flag(s === STATUS_OK), flag(sBad === STATUS_AUTH));
          },
        };
      },
      noble: () => ({
        run: () => ed25519.verify(ED_SIG64, MSG64, ED_PUB),
        result: () => concat(flag(ed25519.verify(ED_SIG64, MSG64, ED_PUB)), flag(!ed25519.verify(ED_SIG64, tampered(MSG64), ED_PUB))),
      }),
      node: () => {
        const key = nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(ED_PUB) }, format: 'jwk' });
        return {
          run: () => nodeCrypto.verify(null, MSG64, key, ED_SIG64),
          result: () => concat(flag(nodeCrypto.verify(null, MSG64, key, ED_SIG64)),
            flag(!nodeCrypto.verify(null, tampered(MSG64), key, ED_SIG64))),
        };
      },
    },
  },
];

export { RawStatusError };
