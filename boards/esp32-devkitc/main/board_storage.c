/*
 * ESP32 storage: NVS blobs in namespace "sealink". NVS writes are atomic per
 * key (a blob is written as new entries, then the old ones are erased), so a
 * power cut leaves the old or the new value (contract). Keys are checked by
 * boards/common/sealink_key.h, whose limit is NVS's 15 characters.
 * Turn on NVS encryption (CONFIG_NVS_ENCRYPTION with flash encryption) in
 * production: the identity seed and device PSK live here.
 */
#include "nvs.h"
#include "nvs_flash.h"
#include "sealink_hal.h"
#include "sealink_key.h"

#define NAMESPACE "sealink"

static int32_t status_of(esp_err_t err)
{
    switch (err) {
    case ESP_OK: return HAL_OK;
    case ESP_ERR_NVS_NOT_FOUND: return HAL_ENOENT;
    case ESP_ERR_NVS_NOT_ENOUGH_SPACE: return HAL_ENOSPC;
    case ESP_ERR_NVS_INVALID_LENGTH: return HAL_EINVAL;
    default: return HAL_EIO;
    }
}

int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len)
{
    char name[SEALINK_KEY_NAME_BYTES];
    nvs_handle_t h;
    if (sealink_key_name(key, key_len, name) != HAL_OK) return HAL_EINVAL;
    esp_err_t err = nvs_open(NAMESPACE, NVS_READONLY, &h);
    if (err == ESP_ERR_NVS_NOT_FOUND) return HAL_ENOENT; /* namespace not created yet */
    if (err != ESP_OK) return HAL_EIO;
    size_t len = 0;
    err = nvs_get_blob(h, name, NULL, &len); /* size first: nothing is copied when it does not fit */
    if (err == ESP_OK && len > out_len) err = ESP_ERR_NVS_INVALID_LENGTH;
    if (err == ESP_OK) err = nvs_get_blob(h, name, out, &len);
    nvs_close(h);
    return err == ESP_OK ? (int32_t)len : status_of(err);
}

int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len)
{
    char name[SEALINK_KEY_NAME_BYTES];
    nvs_handle_t h;
    if (sealink_key_name(key, key_len, name) != HAL_OK) return HAL_EINVAL;
    if (nvs_open(NAMESPACE, NVS_READWRITE, &h) != ESP_OK) return HAL_EIO;
    esp_err_t err = nvs_set_blob(h, name, value, value_len);
    if (err == ESP_OK) err = nvs_commit(h);
    nvs_close(h);
    return status_of(err);
}

int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len)
{
    char name[SEALINK_KEY_NAME_BYTES];
    nvs_handle_t h;
    if (sealink_key_name(key, key_len, name) != HAL_OK) return HAL_EINVAL;
    if (nvs_open(NAMESPACE, NVS_READWRITE, &h) != ESP_OK) return HAL_EIO;
    esp_err_t err = nvs_erase_key(h, name);
    if (err == ESP_ERR_NVS_NOT_FOUND) err = ESP_OK; /* deleting a missing key succeeds */
    if (err == ESP_OK) err = nvs_commit(h);
    nvs_close(h);
    return status_of(err);
}
