/* ESP32 log (ESP_LOG, tag "sealink") and control delivery (a console line, until an application claims it). */
#include <stdio.h>
#include "esp_log.h"
#include "sealink_hal.h"

static const char *TAG = "sealink";

int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len)
{
    int n = (int)message_len;
    switch (level) {
    case 0: ESP_LOGE(TAG, "%.*s", n, (const char *)message); break;
    case 1: ESP_LOGW(TAG, "%.*s", n, (const char *)message); break;
    case 2: ESP_LOGI(TAG, "%.*s", n, (const char *)message); break;
    default: ESP_LOGD(TAG, "%.*s", n, (const char *)message); break;
    }
    return HAL_OK;
}

int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len)
{
    printf("sealink: control %d ", (int)feed);
    for (uint32_t i = 0; i < body_len; i++) printf("%02x", body[i]);
    printf("\n");
    return HAL_OK;
}
