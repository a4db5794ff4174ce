// GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit.
//
// The board HAL as the core sees it. asc emits an import only for a function the
// core calls, so declaring all of them costs nothing.

/** success */
export const HAL_OK: i32 = 0;
/** an argument is out of range or a buffer is too small */
export const HAL_EINVAL: i32 = -1;
/** no such storage key or handle */
export const HAL_ENOENT: i32 = -2;
/** storage is full */
export const HAL_ENOSPC: i32 = -3;
/** the device or network failed */
export const HAL_EIO: i32 = -4;
/** not now (buffer full, link down); try again later */
export const HAL_EAGAIN: i32 = -5;
/** the board does not implement this (optional accelerators) */
export const HAL_ENOTSUP: i32 = -6;

/** hal_accel_x25519 is backed by hardware or a native library */
export const HAL_CAP_X25519: i32 = 0x01;
/** hal_accel_aead_seal / hal_accel_aead_open are available */
export const HAL_CAP_CHACHA20_POLY1305: i32 = 0x02;
/** hal_accel_sha256 is available */
export const HAL_CAP_SHA256: i32 = 0x04;
/** hal_accel_aes256_block is available */
export const HAL_CAP_AES_BLOCK: i32 = 0x08;

/** Writes the monotonic clock in milliseconds since boot as a little-endian u64. Never goes backwards. */
// @ts-ignore: decorator
@external("hal", "hal_clock_now_ms")
export declare function hal_clock_now_ms(outPtr: usize, outLen: u32): i32;

/** Fills the buffer from the board's true random number generator (e.g. esp_random with RF on, nRF CC310 TRNG, getrandom). Must not fail silently: returns HAL_EIO when entropy is unavailable. */
// @ts-ignore: decorator
@external("hal", "hal_rng_fill")
export declare function hal_rng_fill(outPtr: usize, outLen: u32): i32;

/** Writes one log line (UTF-8, no newline). level: 0 error, 1 warn, 2 info, 3 debug. */
// @ts-ignore: decorator
@external("hal", "hal_log")
export declare function hal_log(level: i32, messagePtr: usize, messageLen: u32): i32;

/** Opens a socket to host:port (host is an IP literal or name). transport 0 = UDP, 1 = TCP. Returns a handle >= 0. Received data is delivered through the core's fw_on_packet entry point. */
// @ts-ignore: decorator
@external("hal", "hal_net_open")
export declare function hal_net_open(transport: i32, hostPtr: usize, hostLen: u32, port: i32): i32;

/** Sends one message (UDP: one datagram; TCP: the bytes, framing is the core's job). Returns bytes sent or HAL_EAGAIN. */
// @ts-ignore: decorator
@external("hal", "hal_net_send")
export declare function hal_net_send(handle: i32, dataPtr: usize, dataLen: u32): i32;

/** Closes a socket handle. */
// @ts-ignore: decorator
@external("hal", "hal_net_close")
export declare function hal_net_close(handle: i32): i32;

/** Reads the value stored under key into out. Returns the value's length (>= 0) when it fits; HAL_EINVAL when the value is longer than out (nothing is copied); HAL_ENOENT when the key is missing. */
// @ts-ignore: decorator
@external("hal", "hal_storage_get")
export declare function hal_storage_get(keyPtr: usize, keyLen: u32, outPtr: usize, outLen: u32): i32;

/** Stores value under key durably (atomic: after a power cut the old or the new value is present, never a mix). */
// @ts-ignore: decorator
@external("hal", "hal_storage_put")
export declare function hal_storage_put(keyPtr: usize, keyLen: u32, valuePtr: usize, valueLen: u32): i32;

/** Deletes key. Deleting a missing key succeeds. */
// @ts-ignore: decorator
@external("hal", "hal_storage_delete")
export declare function hal_storage_delete(keyPtr: usize, keyLen: u32): i32;

/** Hands an authenticated, owner-granted control message to the application (feed id, body). */
// @ts-ignore: decorator
@external("hal", "hal_control_deliver")
export declare function hal_control_deliver(feed: i32, bodyPtr: usize, bodyLen: u32): i32;

/** Returns a bit set of HAL_CAP_* accelerators the board provides (0 when none; a negative status counts as none). The core asks once, at first use, and keeps the answer: it must not change while the core runs. */
// @ts-ignore: decorator
@external("hal", "hal_capabilities")
export declare function hal_capabilities(): i32;

/** X25519(scalar, u) into out (RFC 7748, 32 bytes each; the board clamps the scalar and ignores bit 255 of u, u >= p allowed). Must equal the core's own result bit for bit, including an all-zero result for a u of small order (written to out with HAL_OK: the core makes the constant-time zero check itself). The core also computes public keys with it (u = 9). out never overlaps the inputs. Any other status makes the core compute this call itself; HAL_ENOTSUP also stops it asking again. Optional (HAL_CAP_X25519). */
// @ts-ignore: decorator
@external("hal", "hal_accel_x25519")
export declare function hal_accel_x25519(outPtr: usize, outLen: u32, scalarPtr: usize, scalarLen: u32, uPtr: usize, uLen: u32): i32;

/** ChaCha20-Poly1305 seal (RFC 8439): out receives ciphertext || 16-byte tag; out.len must be pt.len + 16. out either starts at pt (in place) or overlaps no input. Return an error only before writing out: the core then seals this call itself (HAL_ENOTSUP: and stops asking), and an in-place seal must still have its plaintext. Optional (HAL_CAP_CHACHA20_POLY1305). */
// @ts-ignore: decorator
@external("hal", "hal_accel_aead_seal")
export declare function hal_accel_aead_seal(keyPtr: usize, keyLen: u32, noncePtr: usize, nonceLen: u32, aadPtr: usize, aadLen: u32, ptPtr: usize, ptLen: u32, outPtr: usize, outLen: u32): i32;

/** ChaCha20-Poly1305 open: ct includes the tag; out.len must be ct.len - 16. out either starts at ct (in place) or overlaps no input. Returns HAL_OK, or HAL_EINVAL on authentication failure (out zeroed; the core takes that verdict as final). Any other status makes the core open this call itself (HAL_ENOTSUP: and stop asking). Optional (HAL_CAP_CHACHA20_POLY1305). */
// @ts-ignore: decorator
@external("hal", "hal_accel_aead_open")
export declare function hal_accel_aead_open(keyPtr: usize, keyLen: u32, noncePtr: usize, nonceLen: u32, aadPtr: usize, aadLen: u32, ctPtr: usize, ctLen: u32, outPtr: usize, outLen: u32): i32;

/** SHA-256 of data into out (32 bytes). The core uses it where it hashes a whole message in one call; streamed hashes (HMAC, HKDF, Noise MixHash) stay in the core. out never overlaps data. Any other status than HAL_OK makes the core hash this call itself (HAL_ENOTSUP: and stop asking). Optional (HAL_CAP_SHA256). */
// @ts-ignore: decorator
@external("hal", "hal_accel_sha256")
export declare function hal_accel_sha256(dataPtr: usize, dataLen: u32, outPtr: usize, outLen: u32): i32;

/** One AES-256 block encryption (FIPS 197) of 16 bytes in under a 32-byte key, into out. Reserved for the optional AES-CBC + HMAC suite: the core has no AES user today and never calls it. Optional (HAL_CAP_AES_BLOCK). */
// @ts-ignore: decorator
@external("hal", "hal_accel_aes256_block")
export declare function hal_accel_aes256_block(keyPtr: usize, keyLen: u32, blockPtr: usize, blockLen: u32, outPtr: usize, outLen: u32): i32;
