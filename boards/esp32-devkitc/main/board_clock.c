/* ESP32 clock: esp_timer, microseconds since boot, monotonic. */
#include "esp_timer.h"
#include "sealink_hal.h"

int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len)
{
    if (out_len < 8u) return HAL_EINVAL;
    uint64_t ms = (uint64_t)esp_timer_get_time() / 1000u;
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(ms >> (8 * i));
    return HAL_OK;
}
