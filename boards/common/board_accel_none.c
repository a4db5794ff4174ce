/*
 * A board without crypto accelerators (the host, or a port in progress): the
 * core then runs its own constant-time code for everything. The optional
 * imports must still exist, because a core built with accelerator support
 * imports them whether or not the board sets the capability bits.
 */
#include "sealink_hal.h"

int32_t hal_capabilities(void)
{
    return 0;
}

int32_t hal_accel_x25519(uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len,
                         const uint8_t *u, uint32_t u_len)
{
    (void)out; (void)out_len; (void)scalar; (void)scalar_len; (void)u; (void)u_len;
    return HAL_ENOTSUP;
}

int32_t hal_accel_aead_seal(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len,
                            uint8_t *out, uint32_t out_len)
{
    (void)key; (void)key_len; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len;
    (void)pt; (void)pt_len; (void)out; (void)out_len;
    return HAL_ENOTSUP;
}

int32_t hal_accel_aead_open(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len,
                            uint8_t *out, uint32_t out_len)
{
    (void)key; (void)key_len; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len;
    (void)ct; (void)ct_len; (void)out; (void)out_len;
    return HAL_ENOTSUP;
}

int32_t hal_accel_sha256(const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len)
{
    (void)data; (void)data_len; (void)out; (void)out_len;
    return HAL_ENOTSUP;
}

int32_t hal_accel_aes256_block(const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len,
                               uint8_t *out, uint32_t out_len)
{
    (void)key; (void)key_len; (void)block; (void)block_len; (void)out; (void)out_len;
    return HAL_ENOTSUP;
}
