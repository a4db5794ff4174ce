/* Storage key check shared by every board (sealink_key.h). */
#include "sealink_key.h"
#include "sealink_hal.h"

static int key_char_ok(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
}

int32_t sealink_key_name(const uint8_t *key, uint32_t key_len, char out[SEALINK_KEY_NAME_BYTES])
{
    out[0] = '\0';
    if (key_len == 0u || key_len > SEALINK_KEY_MAX_CHARS || key[0] == '.') return HAL_EINVAL;
    for (uint32_t i = 0; i < key_len; i++) {
        if (!key_char_ok(key[i])) return HAL_EINVAL;
    }
    for (uint32_t i = 0; i < key_len; i++) out[i] = (char)key[i];
    out[key_len] = '\0';
    return HAL_OK;
}
