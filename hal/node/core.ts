// Node binding of the sensor core: instantiates the real release module and
// exposes its crypto over Uint8Array.
//
// Every call copies its inputs into the core's exchange buffer, calls one
// entry point with offsets, copies the result out and zeroes the part of the
// buffer it used, so no key outlives the call inside the module. Lengths are
// checked here (RangeError / TypeError) before the core sees them; the core
// checks them again and never trusts an offset (firmware/index.ts).

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// .js: the build's declaration step (tsc, scripts/build.ts) does not take .ts imports.
import { bindHal, type HalImpl } from './hal.generated.js';
import { SimHal } from './sim.js';

/** Status codes, mirroring firmware/status.ts (test/binding.test.ts keeps them in step). */
export const STATUS = { OK: 0, AUTH: -1, RANGE: -2, INVALID: -3 } as const;

/** Byte sizes of the primitives' fixed-length arguments. */
export const SIZES = {
  SHA256: 32, SHA512: 64, KEY: 32, NONCE: 12, TAG: 16, SCALAR: 32, POINT: 32, SEED: 32, SIGNATURE: 64,
  HKDF_MAX: 255 * 32,
} as const;

/** Error thrown when the core reports a failure the caller must see (never for a failed open/verify). */
export class CoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
  }
}

/** The functions `loadCore()` returns. */
export interface Core {
  /** SHA-256 (FIPS 180-4) of any number of bytes. */
  sha256(message: Uint8Array): Uint8Array;
  /** SHA-512 (FIPS 180-4) of any number of bytes. */
  sha512(message: Uint8Array): Uint8Array;
  /** HMAC-SHA256 (RFC 2104) with a key and message of any length. */
  hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array;
  /** HKDF-SHA256 (RFC 5869); length <= 8160; info + max(salt + ikm, length) must fit the exchange buffer. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** ChaCha20-Poly1305 (RFC 8439) seal: returns ciphertext || 16-byte tag. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** ChaCha20-Poly1305 open: returns the plaintext, or null when authentication fails. */
  aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /** X25519 (RFC 7748). Throws CoreError `LOW_ORDER` when the shared secret is all zero. */
  x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array;
  /** X25519 public key for a secret scalar. */
  x25519Base(scalar: Uint8Array): Uint8Array;
  /** Ed25519 public key for a 32-byte seed (RFC 8032 §5.1.5). */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** Ed25519 signature (RFC 8032 §5.1.6). */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Ed25519 verification (RFC 8032 §5.1.7, canonical S required). */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The X25519 public key did:key derives from an Ed25519 key. Throws CoreError `INVALID_POINT`. */
  ed25519ToX25519Public(publicKey: Uint8Array): Uint8Array;
  /** The X25519 secret matching ed25519ToX25519Public for the same seed. */
  ed25519ToX25519Secret(seed: Uint8Array): Uint8Array;
  /** Size of the core's exchange buffer (the per-call input limit of the one-shot calls). */
  readonly ioBytes: number;
  /** The module's exports, for tests and benchmarks that need the raw entry points. */
  readonly exports: CoreExports;
}

/** Raw entry points of the core (offsets are into the exchange buffer). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  fw_io_ptr(): number;
  fw_io_bytes(): number;
  fw_io_wipe(): void;
  crypto_sha256_init(): number;
  crypto_sha256_update(off: number, len: number): number;
  crypto_sha256_final(outOff: number): number;
  crypto_sha512_init(): number;
  crypto_sha512_update(off: number, len: number): number;
  crypto_sha512_final(outOff: number): number;
  crypto_hmac_sha256_init(keyOff: number, keyLen: number): number;
  crypto_hmac_sha256_update(off: number, len: number): number;
  crypto_hmac_sha256_final(outOff: number): number;
  crypto_hkdf_sha256(saltOff: number, saltLen: number, ikmOff: number, ikmLen: number,
    infoOff: number, infoLen: number, outOff: number, outLen: number): number;
  crypto_aead_seal(keyOff: number, nonceOff: number, aadOff: number, aadLen: number,
    ptOff: number, ptLen: number, outOff: number): number;
  crypto_aead_open(keyOff: number, nonceOff: number, aadOff: number, aadLen: number,
    ctOff: number, ctLen: number, outOff: number): number;
  crypto_x25519(outOff: number, scalarOff: number, uOff: number): number;
  crypto_x25519_base(outOff: number, scalarOff: number): number;
  crypto_ed25519_public_key(pubOff: number, seedOff: number): number;
  crypto_ed25519_sign(sigOff: number, seedOff: number, msgOff: number, msgLen: number): number;
  crypto_ed25519_verify(pubOff: number, msgOff: number, msgLen: number, sigOff: number): number;
  crypto_ed25519_to_x25519_public(outOff: number, pubOff: number): number;
  crypto_ed25519_to_x25519_secret(outOff: number, seedOff: number): number;
}

/** Options of `loadCore`. */
export interface LoadCoreOptions {
  /** `release` (default) or `debug` (names and assertions kept). */
  variant?: 'release' | 'debug';
  /** A compiled module or its bytes, instead of the built file. */
  wasm?: Uint8Array | WebAssembly.Module;
  /**
   * The board the core's `hal` imports reach (default: a SimHal with no network
   * and no accelerators). Its `attach(exports)`, when present, is called once the
   * instance exists, so it can deliver received data through fw_on_packet.
   */
  hal?: HalImpl & { attach?(exports: WebAssembly.Exports): void };
}

const WASM_FILE = { release: 'sealink-core.wasm', debug: 'sealink-core.debug.wasm' } as const;

/** Finds the built module next to the bundled binding (build/node/) or from the source tree (hal/node/). */
function locateWasm(variant: 'release' | 'debug'): string {
  const candidates = [`../${WASM_FILE[variant]}`, `../../build/${WASM_FILE[variant]}`]
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new CoreError('NOT_BUILT', `sealink core not built: ${WASM_FILE[variant]} not found; run \`npm run build\``);
  }
  return found;
}

function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected Uint8Array, got ${describe(value)}`);
  return value;
}

function exact(name: string, value: unknown, length: number): Uint8Array {
  const b = bytes(name, value);
  if (b.length !== length) throw new RangeError(`${name}: expected ${length} bytes, got ${b.length}`);
  return b;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** Instantiates the sensor core and returns its crypto over Uint8Array. */
export async function loadCore(options: LoadCoreOptions = {}): Promise<Core> {
  const variant = options.variant ?? 'release';
  const source = options.wasm ?? readFileSync(locateWasm(variant));
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const hal = options.hal ?? new SimHal();
  // The memory exists only after instantiation; the HAL bindings read it per call.
  let memory: WebAssembly.Memory | undefined;
  const imports = bindHal(hal, () => {
    if (memory === undefined) throw new CoreError('NOT_READY', 'a HAL import was called during instantiation');
    return memory;
  });
  const instance = await WebAssembly.instantiate(module, { hal: imports });
  memory = (instance.exports as unknown as CoreExports).memory;
  hal.attach?.(instance.exports);
  return bindCore(instance.exports as unknown as CoreExports);
}

function bindCore(x: CoreExports): Core {
  const IO = x.fw_io_ptr();
  const IO_BYTES = x.fw_io_bytes();
  // memory.buffer is replaced if memory ever grows; the core never grows it,
  // but re-reading keeps the binding correct even for a foreign module.
  const mem = () => new Uint8Array(x.memory.buffer);

  /** Lays arguments out one after another from offset 0; returns their offsets. */
  function put(...parts: Uint8Array[]): number[] {
    const m = mem();
    const offs: number[] = [];
    let at = 0;
    for (const p of parts) {
      offs.push(at);
      m.set(p, IO + at);
      at += p.length;
    }
    return offs;
  }
  function take(off: number, len: number): Uint8Array {
    return mem().slice(IO + off, IO + off + len);
  }
  function clear(used: number): void {
    mem().fill(0, IO, IO + Math.min(used, IO_BYTES));
  }
  function fits(what: string, total: number): void {
    if (total > IO_BYTES) {
      throw new RangeError(`${what}: inputs and output total ${total} bytes; the core's exchange buffer holds ${IO_BYTES}`);
    }
  }
  function check(status: number, what: string): void {
    // RANGE here means this binding and the core disagree on a size: a bug, not bad input.
    if (status !== STATUS.OK) throw new CoreError('CORE_STATUS', `${what}: core returned status ${status}`);
  }

  /** Streams any length through the exchange buffer in IO_BYTES chunks. */
  function stream(update: (off: number, len: number) => number, data: Uint8Array, what: string): void {
    for (let at = 0; at < data.length; at += IO_BYTES) {
      const chunk = data.subarray(at, Math.min(at + IO_BYTES, data.length));
      mem().set(chunk, IO);
      check(update(0, chunk.length), what);
    }
    clear(Math.min(data.length, IO_BYTES));
  }

  function sha256(message: Uint8Array): Uint8Array {
    bytes('message', message);
    check(x.crypto_sha256_init(), 'sha256');
    stream(x.crypto_sha256_update, message, 'sha256');
    check(x.crypto_sha256_final(0), 'sha256');
    const out = take(0, 32);
    clear(32);
    return out;
  }

  function sha512(message: Uint8Array): Uint8Array {
    bytes('message', message);
    check(x.crypto_sha512_init(), 'sha512');
    stream(x.crypto_sha512_update, message, 'sha512');
    check(x.crypto_sha512_final(0), 'sha512');
    const out = take(0, 64);
    clear(64);
    return out;
  }

  function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
    bytes('key', key);
    bytes('message', message);
    // RFC 2104 §2: a key longer than the block is replaced by its hash, so a key
    // too large for the exchange buffer is hashed first; the MAC is unchanged.
    const k = key.length > IO_BYTES ? sha256(key) : key;
    put(k);
    const status = x.crypto_hmac_sha256_init(0, k.length);
    clear(k.length);
    check(status, 'hmacSha256');
    stream(x.crypto_hmac_sha256_update, message, 'hmacSha256');
    check(x.crypto_hmac_sha256_final(0), 'hmacSha256');
    const out = take(0, 32);
    clear(32);
    return out;
  }

  function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    bytes('ikm', ikm);
    bytes('salt', salt);
    bytes('info', info);
    if (!Number.isInteger(length)) throw new TypeError(`length: expected an integer, got ${describe(length)}`);
    if (length < 0 || length > SIZES.HKDF_MAX) {
      throw new RangeError(`length: HKDF-SHA256 output is 0..${SIZES.HKDF_MAX} bytes (RFC 5869 §2.3), got ${length}`);
    }
    // The output may overwrite salt and ikm: the core consumes them (extract)
    // before writing the first output byte. It must not overlap info, which
    // every expand block reads again. So an 8160-byte output still fits.
    const total = info.length + Math.max(salt.length + ikm.length, length);
    fits('hkdfSha256', total);
    const [n, s, i] = put(info, salt, ikm);
    const outOff = info.length;
    const status = x.crypto_hkdf_sha256(s, salt.length, i, ikm.length, n, info.length, outOff, length);
    const out = take(outOff, length);
    clear(total);
    check(status, 'hkdfSha256');
    return out;
  }

  function aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    exact('key', key, SIZES.KEY);
    exact('nonce', nonce, SIZES.NONCE);
    bytes('aad', aad);
    bytes('plaintext', plaintext);
    const total = 32 + 12 + aad.length + plaintext.length + 16;
    fits('aeadSeal', total);
    const [k, n, a, p] = put(key, nonce, aad, plaintext);
    // Sealed in place: the tag lands in the 16 bytes after the plaintext.
    const status = x.crypto_aead_seal(k, n, a, aad.length, p, plaintext.length, p);
    const out = take(p, plaintext.length + 16);
    clear(total);
    check(status, 'aeadSeal');
    return out;
  }

  function aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
    exact('key', key, SIZES.KEY);
    exact('nonce', nonce, SIZES.NONCE);
    bytes('aad', aad);
    bytes('ciphertextAndTag', ciphertextAndTag);
    if (ciphertextAndTag.length < SIZES.TAG) {
      throw new RangeError(`ciphertextAndTag: at least ${SIZES.TAG} bytes (the tag), got ${ciphertextAndTag.length}`);
    }
    const total = 32 + 12 + aad.length + ciphertextAndTag.length;
    fits('aeadOpen', total);
    const [k, n, a, c] = put(key, nonce, aad, ciphertextAndTag);
    const status = x.crypto_aead_open(k, n, a, aad.length, c, ciphertextAndTag.length, c);
    const out = status === STATUS.OK ? take(c, ciphertextAndTag.length - SIZES.TAG) : null;
    clear(total);
    if (status !== STATUS.OK && status !== STATUS.AUTH) check(status, 'aeadOpen');
    return out;
  }

  function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
    exact('scalar', scalar, SIZES.SCALAR);
    exact('u', u, SIZES.POINT);
    const [s, p] = put(scalar, u);
    const status = x.crypto_x25519(64, s, p);
    const out = take(64, 32);
    clear(96);
    if (status === STATUS.INVALID) {
      // RFC 7748 §6.1: an all-zero result means u had small order; a protocol must abort.
      throw new CoreError('LOW_ORDER', 'x25519: the peer public key has small order (shared secret is zero)');
    }
    check(status, 'x25519');
    return out;
  }

  function x25519Base(scalar: Uint8Array): Uint8Array {
    exact('scalar', scalar, SIZES.SCALAR);
    const [s] = put(scalar);
    const status = x.crypto_x25519_base(32, s);
    const out = take(32, 32);
    clear(64);
    check(status, 'x25519Base');
    return out;
  }

  function ed25519PublicKey(seed: Uint8Array): Uint8Array {
    exact('seed', seed, SIZES.SEED);
    const [s] = put(seed);
    const status = x.crypto_ed25519_public_key(32, s);
    const out = take(32, 32);
    clear(64);
    check(status, 'ed25519PublicKey');
    return out;
  }

  function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
    exact('seed', seed, SIZES.SEED);
    bytes('message', message);
    const total = 32 + 64 + message.length;
    fits('ed25519Sign', total);
    const [s, m] = put(seed, message);
    const sigOff = 32 + message.length;
    const status = x.crypto_ed25519_sign(sigOff, s, m, message.length);
    const out = take(sigOff, 64);
    clear(total);
    check(status, 'ed25519Sign');
    return out;
  }

  function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    exact('publicKey', publicKey, SIZES.POINT);
    bytes('message', message);
    exact('signature', signature, SIZES.SIGNATURE);
    const total = 32 + 64 + message.length;
    fits('ed25519Verify', total);
    const [p, s, m] = put(publicKey, signature, message);
    const status = x.crypto_ed25519_verify(p, m, message.length, s);
    clear(total);
    if (status !== STATUS.OK && status !== STATUS.AUTH) check(status, 'ed25519Verify');
    return status === STATUS.OK;
  }

  function ed25519ToX25519Public(publicKey: Uint8Array): Uint8Array {
    exact('publicKey', publicKey, SIZES.POINT);
    const [p] = put(publicKey);
    const status = x.crypto_ed25519_to_x25519_public(32, p);
    const out = take(32, 32);
    clear(64);
    if (status === STATUS.INVALID) {
      throw new CoreError('INVALID_POINT', 'ed25519ToX25519Public: the public key is not a valid Ed25519 point');
    }
    check(status, 'ed25519ToX25519Public');
    return out;
  }

  function ed25519ToX25519Secret(seed: Uint8Array): Uint8Array {
    exact('seed', seed, SIZES.SEED);
    const [s] = put(seed);
    const status = x.crypto_ed25519_to_x25519_secret(32, s);
    const out = take(32, 32);
    clear(64);
    check(status, 'ed25519ToX25519Secret');
    return out;
  }

  return {
    sha256, sha512, hmacSha256, hkdfSha256, aeadSeal, aeadOpen, x25519, x25519Base,
    ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519ToX25519Public, ed25519ToX25519Secret,
    ioBytes: IO_BYTES,
    exports: x,
  };
}
