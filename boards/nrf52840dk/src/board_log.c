/* nRF52840 log (printk on the console UART) and control delivery (a console line). */
#include <zephyr/sys/printk.h>
#include "sealink_hal.h"

int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len)
{
    static const char tags[] = "EWID";
    printk("[sealink %c] %.*s\n", level >= 0 && level <= 3 ? tags[level] : '?', (int)message_len,
           (const char *)message);
    return HAL_OK;
}

int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len)
{
    printk("sealink: control %d ", (int)feed);
    for (uint32_t i = 0; i < body_len; i++) printk("%02x", body[i]);
    printk("\n");
    return HAL_OK;
}
