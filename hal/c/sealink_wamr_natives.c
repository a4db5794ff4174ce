/* GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit. */

/*
 * WAMR glue for module "hal": one wrapper per import and the NativeSymbol
 * table. WAMR has already checked that each (pointer, length) lies in the
 * module's memory ("*~"); the wrappers add the contract's minimum lengths.
 * The real wasm_export.h wins when it is on the include path; the shim only
 * lets this file compile where WAMR is not installed.
 */
#include <stdint.h>
#include <stddef.h>
#if defined(__has_include)
#if __has_include("wasm_export.h")
#include "wasm_export.h"
#endif
#endif
#include "wamr_export_shim.h"
#include "sealink_hal.h"

static int32_t wamr_hal_clock_now_ms(wasm_exec_env_t env, uint8_t *out, uint32_t out_len)
{
    (void)env;
    if (out_len < 8u) return HAL_EINVAL;
    return hal_clock_now_ms(out, out_len);
}

static int32_t wamr_hal_rng_fill(wasm_exec_env_t env, uint8_t *out, uint32_t out_len)
{
    (void)env;
    return hal_rng_fill(out, out_len);
}

static int32_t wamr_hal_log(wasm_exec_env_t env, int32_t level, const uint8_t *message, uint32_t message_len)
{
    (void)env;
    return hal_log(level, message, message_len);
}

static int32_t wamr_hal_net_open(wasm_exec_env_t env, int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port)
{
    (void)env;
    return hal_net_open(transport, host, host_len, port);
}

static int32_t wamr_hal_net_send(wasm_exec_env_t env, int32_t handle, const uint8_t *data, uint32_t data_len)
{
    (void)env;
    return hal_net_send(handle, data, data_len);
}

static int32_t wamr_hal_net_close(wasm_exec_env_t env, int32_t handle)
{
    (void)env;
    return hal_net_close(handle);
}

static int32_t wamr_hal_storage_get(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len)
{
    (void)env;
    return hal_storage_get(key, key_len, out, out_len);
}

static int32_t wamr_hal_storage_put(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len)
{
    (void)env;
    return hal_storage_put(key, key_len, value, value_len);
}

static int32_t wamr_hal_storage_delete(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len)
{
    (void)env;
    return hal_storage_delete(key, key_len);
}

static int32_t wamr_hal_control_deliver(wasm_exec_env_t env, int32_t feed, const uint8_t *body, uint32_t body_len)
{
    (void)env;
    return hal_control_deliver(feed, body, body_len);
}

static int32_t wamr_hal_capabilities(wasm_exec_env_t env)
{
    (void)env;
    return hal_capabilities();
}

static int32_t wamr_hal_accel_x25519(wasm_exec_env_t env, uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len, const uint8_t *u, uint32_t u_len)
{
    (void)env;
    if (out_len < 32u || scalar_len < 32u || u_len < 32u) return HAL_EINVAL;
    return hal_accel_x25519(out, out_len, scalar, scalar_len, u, u_len);
}

static int32_t wamr_hal_accel_aead_seal(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len, const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len, uint8_t *out, uint32_t out_len)
{
    (void)env;
    if (key_len < 32u || nonce_len < 12u) return HAL_EINVAL;
    return hal_accel_aead_seal(key, key_len, nonce, nonce_len, aad, aad_len, pt, pt_len, out, out_len);
}

static int32_t wamr_hal_accel_aead_open(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len, const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len, uint8_t *out, uint32_t out_len)
{
    (void)env;
    if (key_len < 32u || nonce_len < 12u || ct_len < 16u) return HAL_EINVAL;
    return hal_accel_aead_open(key, key_len, nonce, nonce_len, aad, aad_len, ct, ct_len, out, out_len);
}

static int32_t wamr_hal_accel_sha256(wasm_exec_env_t env, const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len)
{
    (void)env;
    if (out_len < 32u) return HAL_EINVAL;
    return hal_accel_sha256(data, data_len, out, out_len);
}

static int32_t wamr_hal_accel_aes256_block(wasm_exec_env_t env, const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len, uint8_t *out, uint32_t out_len)
{
    (void)env;
    if (key_len < 32u || block_len < 16u || out_len < 16u) return HAL_EINVAL;
    return hal_accel_aes256_block(key, key_len, block, block_len, out, out_len);
}

/* Not const: wasm_runtime_register_natives sorts the table in place and keeps it.
 * WAMR stores natives as void * (its API; only -Wpedantic objects to the cast). */
static NativeSymbol sealink_hal_natives[] = {
    { "hal_clock_now_ms", (void *)wamr_hal_clock_now_ms, "(*~)i", NULL },
    { "hal_rng_fill", (void *)wamr_hal_rng_fill, "(*~)i", NULL },
    { "hal_log", (void *)wamr_hal_log, "(i*~)i", NULL },
    { "hal_net_open", (void *)wamr_hal_net_open, "(i*~i)i", NULL },
    { "hal_net_send", (void *)wamr_hal_net_send, "(i*~)i", NULL },
    { "hal_net_close", (void *)wamr_hal_net_close, "(i)i", NULL },
    { "hal_storage_get", (void *)wamr_hal_storage_get, "(*~*~)i", NULL },
    { "hal_storage_put", (void *)wamr_hal_storage_put, "(*~*~)i", NULL },
    { "hal_storage_delete", (void *)wamr_hal_storage_delete, "(*~)i", NULL },
    { "hal_control_deliver", (void *)wamr_hal_control_deliver, "(i*~)i", NULL },
    { "hal_capabilities", (void *)wamr_hal_capabilities, "()i", NULL },
    { "hal_accel_x25519", (void *)wamr_hal_accel_x25519, "(*~*~*~)i", NULL },
    { "hal_accel_aead_seal", (void *)wamr_hal_accel_aead_seal, "(*~*~*~*~*~)i", NULL },
    { "hal_accel_aead_open", (void *)wamr_hal_accel_aead_open, "(*~*~*~*~*~)i", NULL },
    { "hal_accel_sha256", (void *)wamr_hal_accel_sha256, "(*~*~)i", NULL },
    { "hal_accel_aes256_block", (void *)wamr_hal_accel_aes256_block, "(*~*~*~)i", NULL },
};

uint32_t sealink_hal_native_symbols(struct NativeSymbol **out)
{
    *out = sealink_hal_natives;
    return (uint32_t)(sizeof sealink_hal_natives / sizeof sealink_hal_natives[0]);
}
