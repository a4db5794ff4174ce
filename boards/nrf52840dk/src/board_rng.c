/*
 * nRF52840 RNG: the Zephyr entropy driver chosen by the board (zephyr,entropy:
 * the CryptoCell CC310 TRNG under nRF Connect SDK). A failure is HAL_EIO and
 * the buffer is wiped: the core never runs a handshake on partial randomness.
 */
#include <zephyr/device.h>
#include <zephyr/drivers/entropy.h>
#include "sealink_hal.h"

static const struct device *const entropy = DEVICE_DT_GET(DT_CHOSEN(zephyr_entropy));

int32_t hal_rng_fill(uint8_t *out, uint32_t out_len)
{
    uint32_t done = 0;
    if (!device_is_ready(entropy)) return HAL_EIO;
    while (done < out_len) {
        uint16_t n = out_len - done > 0xffffu ? 0xffffu : (uint16_t)(out_len - done);
        if (entropy_get_entropy(entropy, out + done, n) != 0) {
            for (uint32_t i = 0; i < out_len; i++) out[i] = 0;
            return HAL_EIO;
        }
        done += n;
    }
    return HAL_OK;
}
