/* GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit. */

/*
 * The functions a board implements for the sealink core (WASM imports of
 * module "hal"). sealink_wamr_natives.c wraps them for WAMR; it checks each
 * buffer's minimum length before the board is called, and WAMR checks that
 * every (pointer, length) lies inside the module's memory.
 * Return >= 0 on success, a negative HAL_E* status on failure.
 */
#ifndef SEALINK_HAL_H
#define SEALINK_HAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEALINK_HAL_MODULE "hal"
#define SEALINK_HAL_VERSION 1

/** success */
#define HAL_OK (0)
/** an argument is out of range or a buffer is too small */
#define HAL_EINVAL (-1)
/** no such storage key or handle */
#define HAL_ENOENT (-2)
/** storage is full */
#define HAL_ENOSPC (-3)
/** the device or network failed */
#define HAL_EIO (-4)
/** not now (buffer full, link down); try again later */
#define HAL_EAGAIN (-5)
/** the board does not implement this (optional accelerators) */
#define HAL_ENOTSUP (-6)

/** hal_accel_x25519 is backed by hardware or a native library */
#define HAL_CAP_X25519 0x01
/** hal_accel_aead_seal / hal_accel_aead_open are available */
#define HAL_CAP_CHACHA20_POLY1305 0x02
/** hal_accel_sha256 is available */
#define HAL_CAP_SHA256 0x04
/** hal_accel_aes256_block is available */
#define HAL_CAP_AES_BLOCK 0x08

/**
 * Writes the monotonic clock in milliseconds since boot as a little-endian u64. Never goes backwards.
 * @param out out buffer, at least 8 bytes
 */
int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len);

/**
 * Fills the buffer from the board's true random number generator (e.g. esp_random with RF on, nRF CC310 TRNG, getrandom). Must not fail silently: returns HAL_EIO when entropy is unavailable.
 * @param out out buffer
 */
int32_t hal_rng_fill(uint8_t *out, uint32_t out_len);

/**
 * Writes one log line (UTF-8, no newline). level: 0 error, 1 warn, 2 info, 3 debug.
 * @param level i32
 * @param message in buffer
 */
int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len);

/**
 * Opens a socket to host:port (host is an IP literal or name). transport 0 = UDP, 1 = TCP. Returns a handle >= 0. Received data is delivered through the core's fw_on_packet entry point.
 * @param transport i32
 * @param host in buffer
 * @param port i32
 */
int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port);

/**
 * Sends one message (UDP: one datagram; TCP: the bytes, framing is the core's job). Returns bytes sent or HAL_EAGAIN.
 * @param handle i32
 * @param data in buffer
 */
int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len);

/**
 * Closes a socket handle.
 * @param handle i32
 */
int32_t hal_net_close(int32_t handle);

/**
 * Reads the value stored under key into out. Returns the value's length (>= 0) when it fits; HAL_EINVAL when the value is longer than out (nothing is copied); HAL_ENOENT when the key is missing.
 * @param key in buffer
 * @param out out buffer
 */
int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len);

/**
 * Stores value under key durably (atomic: after a power cut the old or the new value is present, never a mix).
 * @param key in buffer
 * @param value in buffer
 */
int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len);

/**
 * Deletes key. Deleting a missing key succeeds.
 * @param key in buffer
 */
int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len);

/**
 * Hands an authenticated, owner-granted control message to the application (feed id, body).
 * @param feed i32
 * @param body in buffer
 */
int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len);

/**
 * Returns a bit set of HAL_CAP_* accelerators the board provides (0 when none; a negative status counts as none). The core asks once, at first use, and keeps the answer: it must not change while the core runs.
 */
int32_t hal_capabilities(void);

/**
 * X25519(scalar, u) into out (RFC 7748, 32 bytes each; the board clamps the scalar and ignores bit 255 of u, u >= p allowed). Must equal the core's own result bit for bit, including an all-zero result for a u of small order (written to out with HAL_OK: the core makes the constant-time zero check itself). The core also computes public keys with it (u = 9). out never overlaps the inputs. Any other status makes the core compute this call itself; HAL_ENOTSUP also stops it asking again.
 * Optional (HAL_CAP_X25519): a board without it returns HAL_ENOTSUP.
 * @param out out buffer, at least 32 bytes
 * @param scalar in buffer, at least 32 bytes
 * @param u in buffer, at least 32 bytes
 */
int32_t hal_accel_x25519(uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len, const uint8_t *u, uint32_t u_len);

/**
 * ChaCha20-Poly1305 seal (RFC 8439): out receives ciphertext || 16-byte tag; out.len must be pt.len + 16. out either starts at pt (in place) or overlaps no input. Return an error only before writing out: the core then seals this call itself (HAL_ENOTSUP: and stops asking), and an in-place seal must still have its plaintext.
 * Optional (HAL_CAP_CHACHA20_POLY1305): a board without it returns HAL_ENOTSUP.
 * @param key in buffer, at least 32 bytes
 * @param nonce in buffer, at least 12 bytes
 * @param aad in buffer
 * @param pt in buffer
 * @param out out buffer
 */
int32_t hal_accel_aead_seal(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len, const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len, uint8_t *out, uint32_t out_len);

/**
 * ChaCha20-Poly1305 open: ct includes the tag; out.len must be ct.len - 16. out either starts at ct (in place) or overlaps no input. Returns HAL_OK, or HAL_EINVAL on authentication failure (out zeroed; the core takes that verdict as final). Any other status makes the core open this call itself (HAL_ENOTSUP: and stop asking).
 * Optional (HAL_CAP_CHACHA20_POLY1305): a board without it returns HAL_ENOTSUP.
 * @param key in buffer, at least 32 bytes
 * @param nonce in buffer, at least 12 bytes
 * @param aad in buffer
 * @param ct in buffer, at least 16 bytes
 * @param out out buffer
 */
int32_t hal_accel_aead_open(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len, const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len, uint8_t *out, uint32_t out_len);

/**
 * SHA-256 of data into out (32 bytes). The core uses it where it hashes a whole message in one call; streamed hashes (HMAC, HKDF, Noise MixHash) stay in the core. out never overlaps data. Any other status than HAL_OK makes the core hash this call itself (HAL_ENOTSUP: and stop asking).
 * Optional (HAL_CAP_SHA256): a board without it returns HAL_ENOTSUP.
 * @param data in buffer
 * @param out out buffer, at least 32 bytes
 */
int32_t hal_accel_sha256(const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len);

/**
 * One AES-256 block encryption (FIPS 197) of 16 bytes in under a 32-byte key, into out. Reserved for the optional AES-CBC + HMAC suite: the core has no AES user today and never calls it.
 * Optional (HAL_CAP_AES_BLOCK): a board without it returns HAL_ENOTSUP.
 * @param key in buffer, at least 32 bytes
 * @param block in buffer, at least 16 bytes
 * @param out out buffer, at least 16 bytes
 */
int32_t hal_accel_aes256_block(const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len, uint8_t *out, uint32_t out_len);

/* The WAMR native table for this contract (sealink_wamr_natives.c): pass it to
 * wasm_runtime_register_natives(SEALINK_HAL_MODULE, table, count). */
struct NativeSymbol;
uint32_t sealink_hal_native_symbols(struct NativeSymbol **out);

#ifdef __cplusplus
}
#endif

#endif /* SEALINK_HAL_H */
