/* nRF52840 clock: k_uptime_get, ms since boot from the 32 kHz RTC; monotonic. */
#include <zephyr/kernel.h>
#include "sealink_hal.h"

int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len)
{
    if (out_len < 8u) return HAL_EINVAL;
    uint64_t ms = (uint64_t)k_uptime_get();
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(ms >> (8 * i));
    return HAL_OK;
}
