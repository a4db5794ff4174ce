// GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit.
//
// Node binding of the HAL: bindHal(impl, memory) builds the "hal" import object.
// Every (ptr, len) is checked against the memory and the contract's minimum
// before the implementation runs (HAL_EINVAL otherwise), the implementation
// gets Uint8Array views into the memory (no copies: valid only during the
// call), and nothing is ever thrown into wasm (a throw becomes HAL_EIO).

export const HAL_MODULE = 'hal';
export const HAL_VERSION = 1;

/** success */
export const HAL_OK = 0;
/** an argument is out of range or a buffer is too small */
export const HAL_EINVAL = -1;
/** no such storage key or handle */
export const HAL_ENOENT = -2;
/** storage is full */
export const HAL_ENOSPC = -3;
/** the device or network failed */
export const HAL_EIO = -4;
/** not now (buffer full, link down); try again later */
export const HAL_EAGAIN = -5;
/** the board does not implement this (optional accelerators) */
export const HAL_ENOTSUP = -6;

/** hal_accel_x25519 is backed by hardware or a native library */
export const HAL_CAP_X25519 = 0x01;
/** hal_accel_aead_seal / hal_accel_aead_open are available */
export const HAL_CAP_CHACHA20_POLY1305 = 0x02;
/** hal_accel_sha256 is available */
export const HAL_CAP_SHA256 = 0x04;
/** hal_accel_aes256_block is available */
export const HAL_CAP_AES_BLOCK = 0x08;

/** A board HAL in JS. Buffers are views into the core's memory, valid only during the call. */
export interface HalImpl {
  /** Writes the monotonic clock in milliseconds since boot as a little-endian u64. Never goes backwards. */
  hal_clock_now_ms(out: Uint8Array): number;
  /** Fills the buffer from the board's true random number generator (e.g. esp_random with RF on, nRF CC310 TRNG, getrandom). Must not fail silently: returns HAL_EIO when entropy is unavailable. */
  hal_rng_fill(out: Uint8Array): number;
  /** Writes one log line (UTF-8, no newline). level: 0 error, 1 warn, 2 info, 3 debug. */
  hal_log(level: number, message: Uint8Array): number;
  /** Opens a socket to host:port (host is an IP literal or name). transport 0 = UDP, 1 = TCP. Returns a handle >= 0. Received data is delivered through the core's fw_on_packet entry point. */
  hal_net_open(transport: number, host: Uint8Array, port: number): number;
  /** Sends one message (UDP: one datagram; TCP: the bytes, framing is the core's job). Returns bytes sent or HAL_EAGAIN. */
  hal_net_send(handle: number, data: Uint8Array): number;
  /** Closes a socket handle. */
  hal_net_close(handle: number): number;
  /** Reads the value stored under key into out. Returns the value's length (>= 0) when it fits; HAL_EINVAL when the value is longer than out (nothing is copied); HAL_ENOENT when the key is missing. */
  hal_storage_get(key: Uint8Array, out: Uint8Array): number;
  /** Stores value under key durably (atomic: after a power cut the old or the new value is present, never a mix). */
  hal_storage_put(key: Uint8Array, value: Uint8Array): number;
  /** Deletes key. Deleting a missing key succeeds. */
  hal_storage_delete(key: Uint8Array): number;
  /** Hands an authenticated, owner-granted control message to the application (feed id, body). */
  hal_control_deliver(feed: number, body: Uint8Array): number;
  /** Returns a bit set of HAL_CAP_* accelerators the board provides (0 when none; a negative status counts as none). The core asks once, at first use, and keeps the answer: it must not change while the core runs. */
  hal_capabilities(): number;
  /** X25519(scalar, u) into out (RFC 7748, 32 bytes each; the board clamps the scalar and ignores bit 255 of u, u >= p allowed). Must equal the core's own result bit for bit, including an all-zero result for a u of small order (written to out with HAL_OK: the core makes the constant-time zero check itself). The core also computes public keys with it (u = 9). out never overlaps the inputs. Any other status makes the core compute this call itself; HAL_ENOTSUP also stops it asking again. Optional (HAL_CAP_X25519): absent means HAL_ENOTSUP. */
  hal_accel_x25519?(out: Uint8Array, scalar: Uint8Array, u: Uint8Array): number;
  /** ChaCha20-Poly1305 seal (RFC 8439): out receives ciphertext || 16-byte tag; out.len must be pt.len + 16. out either starts at pt (in place) or overlaps no input. Return an error only before writing out: the core then seals this call itself (HAL_ENOTSUP: and stops asking), and an in-place seal must still have its plaintext. Optional (HAL_CAP_CHACHA20_POLY1305): absent means HAL_ENOTSUP. */
  hal_accel_aead_seal?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array, out: Uint8Array): number;
  /** ChaCha20-Poly1305 open: ct includes the tag; out.len must be ct.len - 16. out either starts at ct (in place) or overlaps no input. Returns HAL_OK, or HAL_EINVAL on authentication failure (out zeroed; the core takes that verdict as final). Any other status makes the core open this call itself (HAL_ENOTSUP: and stop asking). Optional (HAL_CAP_CHACHA20_POLY1305): absent means HAL_ENOTSUP. */
  hal_accel_aead_open?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, out: Uint8Array): number;
  /** SHA-256 of data into out (32 bytes). The core uses it where it hashes a whole message in one call; streamed hashes (HMAC, HKDF, Noise MixHash) stay in the core. out never overlaps data. Any other status than HAL_OK makes the core hash this call itself (HAL_ENOTSUP: and stop asking). Optional (HAL_CAP_SHA256): absent means HAL_ENOTSUP. */
  hal_accel_sha256?(data: Uint8Array, out: Uint8Array): number;
  /** One AES-256 block encryption (FIPS 197) of 16 bytes in under a 32-byte key, into out. Reserved for the optional AES-CBC + HMAC suite: the core has no AES user today and never calls it. Optional (HAL_CAP_AES_BLOCK): absent means HAL_ENOTSUP. */
  hal_accel_aes256_block?(key: Uint8Array, block: Uint8Array, out: Uint8Array): number;
}

/** Names of the implementation methods every HalImpl must have. */
export const HAL_REQUIRED: readonly string[] = ["hal_clock_now_ms","hal_rng_fill","hal_log","hal_net_open","hal_net_send","hal_net_close","hal_storage_get","hal_storage_put","hal_storage_delete","hal_control_deliver","hal_capabilities"];

function defaultLog(what: string, error: unknown): void {
  console.error(`sealink hal: ${what}:`, error);
}

/** The wasm import object for module "hal" over `impl`; `memory` is read at each call. */
export function bindHal(impl: HalImpl, memory: () => WebAssembly.Memory,
  log: (what: string, error: unknown) => void = defaultLog): Record<string, Function> {
  for (const name of HAL_REQUIRED) {
    if (typeof (impl as unknown as Record<string, unknown>)[name] !== 'function') {
      throw new TypeError(`bindHal: the implementation lacks ${name}`);
    }
  }
  /** A view of [ptr, len) or null when it leaves the memory or is shorter than min. */
  function view(ptr: number, len: number, min: number): Uint8Array | null {
    const buffer = memory().buffer;
    const p = ptr >>> 0;
    const n = len >>> 0;
    if (n < min || p + n > buffer.byteLength) return null;
    return new Uint8Array(buffer, p, n);
  }
  function done(name: string, r: unknown): number {
    if (Number.isInteger(r) && (r as number) >= -0x80000000 && (r as number) <= 0x7fffffff) return r as number;
    log(name, new TypeError(`returned ${String(r)}, not an i32`));
    return HAL_EIO;
  }
  function fail(name: string, error: unknown): number {
    log(name, error);
    return HAL_EIO;
  }
  return {
    hal_clock_now_ms(outPtr: number, outLen: number): number {
      try {
        const out = view(outPtr, outLen, 8);
        if (out === null) return HAL_EINVAL;
        return done('hal_clock_now_ms', impl.hal_clock_now_ms(out));
      } catch (error) { return fail('hal_clock_now_ms', error); }
    },
    hal_rng_fill(outPtr: number, outLen: number): number {
      try {
        const out = view(outPtr, outLen, 0);
        if (out === null) return HAL_EINVAL;
        return done('hal_rng_fill', impl.hal_rng_fill(out));
      } catch (error) { return fail('hal_rng_fill', error); }
    },
    hal_log(level: number, messagePtr: number, messageLen: number): number {
      try {
        const message = view(messagePtr, messageLen, 0);
        if (message === null) return HAL_EINVAL;
        return done('hal_log', impl.hal_log(level | 0, message));
      } catch (error) { return fail('hal_log', error); }
    },
    hal_net_open(transport: number, hostPtr: number, hostLen: number, port: number): number {
      try {
        const host = view(hostPtr, hostLen, 0);
        if (host === null) return HAL_EINVAL;
        return done('hal_net_open', impl.hal_net_open(transport | 0, host, port | 0));
      } catch (error) { return fail('hal_net_open', error); }
    },
    hal_net_send(handle: number, dataPtr: number, dataLen: number): number {
      try {
        const data = view(dataPtr, dataLen, 0);
        if (data === null) return HAL_EINVAL;
        return done('hal_net_send', impl.hal_net_send(handle | 0, data));
      } catch (error) { return fail('hal_net_send', error); }
    },
    hal_net_close(handle: number): number {
      try {
        return done('hal_net_close', impl.hal_net_close(handle | 0));
      } catch (error) { return fail('hal_net_close', error); }
    },
    hal_storage_get(keyPtr: number, keyLen: number, outPtr: number, outLen: number): number {
      try {
        const key = view(keyPtr, keyLen, 0);
        if (key === null) return HAL_EINVAL;
        const out = view(outPtr, outLen, 0);
        if (out === null) return HAL_EINVAL;
        return done('hal_storage_get', impl.hal_storage_get(key, out));
      } catch (error) { return fail('hal_storage_get', error); }
    },
    hal_storage_put(keyPtr: number, keyLen: number, valuePtr: number, valueLen: number): number {
      try {
        const key = view(keyPtr, keyLen, 0);
        if (key === null) return HAL_EINVAL;
        const value = view(valuePtr, valueLen, 0);
        if (value === null) return HAL_EINVAL;
        return done('hal_storage_put', impl.hal_storage_put(key, value));
      } catch (error) { return fail('hal_storage_put', error); }
    },
    hal_storage_delete(keyPtr: number, keyLen: number): number {
      try {
        const key = view(keyPtr, keyLen, 0);
        if (key === null) return HAL_EINVAL;
        return done('hal_storage_delete', impl.hal_storage_delete(key));
      } catch (error) { return fail('hal_storage_delete', error); }
    },
    hal_control_deliver(feed: number, bodyPtr: number, bodyLen: number): number {
      try {
        const body = view(bodyPtr, bodyLen, 0);
        if (body === null) return HAL_EINVAL;
        return done('hal_control_deliver', impl.hal_control_deliver(feed | 0, body));
      } catch (error) { return fail('hal_control_deliver', error); }
    },
    hal_capabilities(): number {
      try {
        return done('hal_capabilities', impl.hal_capabilities());
      } catch (error) { return fail('hal_capabilities', error); }
    },
    hal_accel_x25519(outPtr: number, outLen: number, scalarPtr: number, scalarLen: number, uPtr: number, uLen: number): number {
      const f = impl.hal_accel_x25519;
      if (f === undefined) return HAL_ENOTSUP;
      try {
        const out = view(outPtr, outLen, 32);
        if (out === null) return HAL_EINVAL;
        const scalar = view(scalarPtr, scalarLen, 32);
        if (scalar === null) return HAL_EINVAL;
        const u = view(uPtr, uLen, 32);
        if (u === null) return HAL_EINVAL;
        return done('hal_accel_x25519', f.call(impl, out, scalar, u));
      } catch (error) { return fail('hal_accel_x25519', error); }
    },
    hal_accel_aead_seal(keyPtr: number, keyLen: number, noncePtr: number, nonceLen: number, aadPtr: number, aadLen: number, ptPtr: number, ptLen: number, outPtr: number, outLen: number): number {
      const f = impl.hal_accel_aead_seal;
      if (f === undefined) return HAL_ENOTSUP;
      try {
        const key = view(keyPtr, keyLen, 32);
        if (key === null) return HAL_EINVAL;
        const nonce = view(noncePtr, nonceLen, 12);
        if (nonce === null) return HAL_EINVAL;
        const aad = view(aadPtr, aadLen, 0);
        if (aad === null) return HAL_EINVAL;
        const pt = view(ptPtr, ptLen, 0);
        if (pt === null) return HAL_EINVAL;
        const out = view(outPtr, outLen, 0);
        if (out === null) return HAL_EINVAL;
        return done('hal_accel_aead_seal', f.call(impl, key, nonce, aad, pt, out));
      } catch (error) { return fail('hal_accel_aead_seal', error); }
    },
    hal_accel_aead_open(keyPtr: number, keyLen: number, noncePtr: number, nonceLen: number, aadPtr: number, aadLen: number, ctPtr: number, ctLen: number, outPtr: number, outLen: number): number {
      const f = impl.hal_accel_aead_open;
      if (f === undefined) return HAL_ENOTSUP;
      try {
        const key = view(keyPtr, keyLen, 32);
        if (key === null) return HAL_EINVAL;
        const nonce = view(noncePtr, nonceLen, 12);
        if (nonce === null) return HAL_EINVAL;
        const aad = view(aadPtr, aadLen, 0);
        if (aad === null) return HAL_EINVAL;
        const ct = view(ctPtr, ctLen, 16);
        if (ct === null) return HAL_EINVAL;
        const out = view(outPtr, outLen, 0);
        if (out === null) return HAL_EINVAL;
        return done('hal_accel_aead_open', f.call(impl, key, nonce, aad, ct, out));
      } catch (error) { return fail('hal_accel_aead_open', error); }
    },
    hal_accel_sha256(dataPtr: number, dataLen: number, outPtr: number, outLen: number): number {
      const f = impl.hal_accel_sha256;
      if (f === undefined) return HAL_ENOTSUP;
      try {
        const data = view(dataPtr, dataLen, 0);
        if (data === null) return HAL_EINVAL;
        const out = view(outPtr, outLen, 32);
        if (out === null) return HAL_EINVAL;
        return done('hal_accel_sha256', f.call(impl, data, out));
      } catch (error) { return fail('hal_accel_sha256', error); }
    },
    hal_accel_aes256_block(keyPtr: number, keyLen: number, blockPtr: number, blockLen: number, outPtr: number, outLen: number): number {
      const f = impl.hal_accel_aes256_block;
      if (f === undefined) return HAL_ENOTSUP;
      try {
        const key = view(keyPtr, keyLen, 32);
        if (key === null) return HAL_EINVAL;
        const block = view(blockPtr, blockLen, 16);
        if (block === null) return HAL_EINVAL;
        const out = view(outPtr, outLen, 16);
        if (out === null) return HAL_EINVAL;
        return done('hal_accel_aes256_block', f.call(impl, key, block, out));
      } catch (error) { return fail('hal_accel_aes256_block', error); }
    },
  };
}
