/*
 * nRF52840 accelerators: nrf_oberon (ocrypto), Nordic's Cortex-M4-optimised,
 * constant-time library, 10-50x faster than the interpreted core. Results
 * equal the core's bit for bit: ocrypto_curve25519_scalarmult is RFC 7748
 * X25519 (clamping included; a small-order u yields zeros, which the core
 * checks itself). API of nrf_oberon 3.x (nRF Connect SDK 2.8).
 */
#include <ocrypto_aes_ecb.h>
#include <ocrypto_chacha20_poly1305.h>
#include <ocrypto_curve25519.h>
#include <ocrypto_sha256.h>
#include "sealink_hal.h"

int32_t hal_capabilities(void)
{
    return HAL_CAP_X25519 | HAL_CAP_CHACHA20_POLY1305 | HAL_CAP_SHA256 | HAL_CAP_AES_BLOCK;
}

int32_t hal_accel_x25519(uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len,
                         const uint8_t *u, uint32_t u_len)
{
    (void)out_len; (void)scalar_len; (void)u_len; /* >= 32: checked by the generated glue */
    ocrypto_curve25519_scalarmult(out, scalar, u);
    return HAL_OK;
}

int32_t hal_accel_aead_seal(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len,
                            uint8_t *out, uint32_t out_len)
{
    (void)key_len; (void)nonce_len; /* >= 32 and >= 12: checked by the generated glue */
    if ((uint64_t)pt_len + 16u != out_len) return HAL_EINVAL;
    ocrypto_chacha20_poly1305_encrypt(out + pt_len, out, pt, pt_len, aad, aad_len, nonce, 12, key);
    return HAL_OK;
}

int32_t hal_accel_aead_open(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len,
                            uint8_t *out, uint32_t out_len)
{
    (void)key_len; (void)nonce_len;
    if (ct_len - 16u != out_len) return HAL_EINVAL;
    if (ocrypto_chacha20_poly1305_decrypt(ct + out_len, out, ct, out_len, aad, aad_len, nonce, 12, key) == 0) return HAL_OK;
    volatile uint8_t *v = out; /* contract: out zeroed on failure */
    for (uint32_t i = 0; i < out_len; i++) v[i] = 0;
    return HAL_EINVAL;
}

int32_t hal_accel_sha256(const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len)
{
    (void)out_len;
    ocrypto_sha256(out, data, data_len);
    return HAL_OK;
}

int32_t hal_accel_aes256_block(const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len,
                               uint8_t *out, uint32_t out_len)
{
    (void)key_len; (void)block_len; (void)out_len;
    ocrypto_aes_ecb_encrypt(out, block, 16, key, 32);
    return HAL_OK;
}
