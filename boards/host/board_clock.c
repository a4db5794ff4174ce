/* Host clock: CLOCK_MONOTONIC, which never goes backwards (contract) and keeps counting across NTP steps. */
#include <time.h>
#include "sealink_hal.h"

int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len)
{
    struct timespec ts;
    if (out_len < 8u) return HAL_EINVAL;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return HAL_EIO;
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(ms >> (8 * i));
    return HAL_OK;
}
