/*
 * ESP32 accelerators through mbedTLS, which ESP-IDF builds with the SoC's
 * SHA and AES engines (CONFIG_MBEDTLS_HARDWARE_SHA/AES) and its bignum unit.
 * Native code is 20-100x faster than interpreted WASM for these. Results
 * must equal the core's own bit for bit (hal/contract.json); test/boards/
 * accel-mbedtls.test.ts checks this file against RFC vectors with Debian's
 * mbedTLS. Nothing here includes an ESP-IDF header.
 *
 * Constant time: mbedTLS's X25519 is a Montgomery ladder with constant-time
 * swaps and randomised projective coordinates; ChaCha20-Poly1305 and the
 * tag check are constant time; the AES engine is hardware.
 */
#include <string.h>
#include "mbedtls/aes.h"
#include "mbedtls/chachapoly.h"
#include "mbedtls/ecp.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"
#include "sealink_hal.h"

#if MBEDTLS_VERSION_MAJOR < 3
#define sha256_once mbedtls_sha256_ret
#else
#define sha256_once mbedtls_sha256
#endif

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--) *v++ = 0;
}

int32_t hal_capabilities(void)
{
    return HAL_CAP_X25519 | HAL_CAP_CHACHA20_POLY1305 | HAL_CAP_SHA256 | HAL_CAP_AES_BLOCK;
}

/* Blinding randomness for the ladder (mbedTLS 3 requires an RNG). */
static int ladder_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    return hal_rng_fill(out, (uint32_t)len) == HAL_OK ? 0 : -1;
}

int32_t hal_accel_x25519(uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len,
                         const uint8_t *u, uint32_t u_len)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, r;
    mbedtls_mpi k;
    uint8_t clamped[32];
    size_t written = 0;
    int32_t st = HAL_EIO;
    (void)out_len; (void)scalar_len; (void)u_len; /* >= 32, checked by the generated glue */

    /* RFC 7748 §5 clamping: mbedTLS checks, rather than applies, it. */
    memcpy(clamped, scalar, 32);
    clamped[0] &= 248;
    clamped[31] &= 127;
    clamped[31] |= 64;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&r);
    mbedtls_mpi_init(&k);
    if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519) == 0
        && mbedtls_mpi_read_binary_le(&k, clamped, 32) == 0
        && mbedtls_ecp_point_read_binary(&grp, &p, u, 32) == 0) {  /* masks bit 255 (RFC 7748 §5) */
        int ret = mbedtls_ecp_mul(&grp, &r, &k, &p, ladder_rng, NULL);
        if (ret == 0 && mbedtls_ecp_point_write_binary(&grp, &r, MBEDTLS_ECP_PF_UNCOMPRESSED, &written, out, 32) == 0
            && written == 32) {
            st = HAL_OK;
        } else if (ret == MBEDTLS_ERR_ECP_INVALID_KEY) {
            /* mbedTLS refuses the small-order u values; X25519 of those is
             * all zero, which the contract wants written with HAL_OK (the
             * core makes the constant-time zero check itself). */
            memset(out, 0, 32);
            st = HAL_OK;
        }
    }
    mbedtls_mpi_free(&k);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_group_free(&grp);
    wipe(clamped, sizeof clamped);
    return st;
}

int32_t hal_accel_aead_seal(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len,
                            uint8_t *out, uint32_t out_len)
{
    mbedtls_chachapoly_context ctx;
    (void)key_len; (void)nonce_len;
    if ((uint64_t)pt_len + 16u != out_len) return HAL_EINVAL;
    mbedtls_chachapoly_init(&ctx);
    int ret = mbedtls_chachapoly_setkey(&ctx, key);
    if (ret == 0) ret = mbedtls_chachapoly_encrypt_and_tag(&ctx, pt_len, nonce, aad, aad_len, pt, out, out + pt_len);
    mbedtls_chachapoly_free(&ctx);
    return ret == 0 ? HAL_OK : HAL_EIO;
}

int32_t hal_accel_aead_open(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len,
                            uint8_t *out, uint32_t out_len)
{
    mbedtls_chachapoly_context ctx;
    (void)key_len; (void)nonce_len;
    if (ct_len - 16u != out_len) return HAL_EINVAL; /* ct_len >= 16: checked by the glue */
    mbedtls_chachapoly_init(&ctx);
    int ret = mbedtls_chachapoly_setkey(&ctx, key);
    if (ret == 0) ret = mbedtls_chachapoly_auth_decrypt(&ctx, out_len, nonce, aad, aad_len, ct + out_len, ct, out);
    mbedtls_chachapoly_free(&ctx);
    if (ret == 0) return HAL_OK;
    wipe(out, out_len); /* contract: out zeroed on failure */
    return ret == MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED ? HAL_EINVAL : HAL_EIO;
}

int32_t hal_accel_sha256(const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len)
{
    (void)out_len;
    return sha256_once(data, data_len, out, 0) == 0 ? HAL_OK : HAL_EIO;
}

int32_t hal_accel_aes256_block(const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len,
                               uint8_t *out, uint32_t out_len)
{
    mbedtls_aes_context ctx;
    (void)key_len; (void)block_len; (void)out_len;
    mbedtls_aes_init(&ctx);
    int ret = mbedtls_aes_setkey_enc(&ctx, key, 256);
    if (ret == 0) ret = mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, block, out);
    mbedtls_aes_free(&ctx);
    return ret == 0 ? HAL_OK : HAL_EIO;
}
