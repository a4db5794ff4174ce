/*
 * ESP32 RNG: esp_fill_random. It is a true RNG only while an entropy source
 * runs: Wi-Fi/BT (RF) or the bootloader's SAR ADC source. app_main brings
 * Wi-Fi up before fw_init, so the identity seed drawn on first boot and every
 * handshake ephemeral come from the hardware RNG with RF noise.
 */
#include "esp_random.h"
#include "sealink_hal.h"

int32_t hal_rng_fill(uint8_t *out, uint32_t out_len)
{
    esp_fill_random(out, out_len);
    return HAL_OK;
}
