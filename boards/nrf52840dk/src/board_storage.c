/*
 * nRF52840 storage: Zephyr settings on NVS, names "sl/<key>". NVS writes each
 * entry whole before its allocation entry, so a power cut leaves the old or
 * the new value (contract). A read loads the one name directly (no handler).
 */
#include <errno.h>
#include <string.h>
#include <zephyr/settings/settings.h>
#include "board_nrf.h"
#include "sealink_hal.h"
#include "sealink_key.h"

#define PREFIX "sl/"

struct read_ctx { uint8_t *out; uint32_t cap; int32_t result; };

int board_storage_init(void)
{
    return settings_subsys_init();
}

static int full_name(const uint8_t *key, uint32_t key_len, char name[sizeof PREFIX + SEALINK_KEY_NAME_BYTES])
{
    char k[SEALINK_KEY_NAME_BYTES];
    if (sealink_key_name(key, key_len, k) != HAL_OK) return -1;
    strcpy(name, PREFIX);
    strcat(name, k);
    return 0;
}

/* key is what follows the requested name: NULL for the name itself. */
static int on_value(const char *key, size_t len, settings_read_cb read_cb, void *cb_arg, void *param)
{
    struct read_ctx *ctx = param;
    if (key != NULL) return 0;
    if (len > ctx->cap) {
        ctx->result = HAL_EINVAL;
        return 1;
    }
    ssize_t n = read_cb(cb_arg, ctx->out, len);
    ctx->result = n == (ssize_t)len ? (int32_t)len : HAL_EIO;
    return 1; /* stop: found */
}

int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len)
{
    char name[sizeof PREFIX + SEALINK_KEY_NAME_BYTES];
    struct read_ctx ctx = { out, out_len, HAL_ENOENT };
    if (full_name(key, key_len, name) != 0) return HAL_EINVAL;
    if (settings_load_subtree_direct(name, on_value, &ctx) != 0) return HAL_EIO;
    return ctx.result;
}

int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len)
{
    char name[sizeof PREFIX + SEALINK_KEY_NAME_BYTES];
    if (full_name(key, key_len, name) != 0) return HAL_EINVAL;
    int err = settings_save_one(name, value, value_len);
    return err == 0 ? HAL_OK : err == -ENOSPC ? HAL_ENOSPC : HAL_EIO;
}

int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len)
{
    char name[sizeof PREFIX + SEALINK_KEY_NAME_BYTES];
    if (full_name(key, key_len, name) != 0) return HAL_EINVAL;
    return settings_delete(name) == 0 ? HAL_OK : HAL_EIO;
}
