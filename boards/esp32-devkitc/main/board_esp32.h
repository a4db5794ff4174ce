/* What app_main.c needs from the ESP32 board files beyond sealink_hal.h. */
#ifndef BOARD_ESP32_H
#define BOARD_ESP32_H

#include <stdint.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "lwip/sockets.h"
#include "sealink_net_bsd.h"

/** Connects to the configured Wi-Fi (CONFIG_SEALINK_WIFI_*) and waits for an IP; 0 or -1. */
int board_wifi_connect(uint32_t timeout_ms);

/** Adds every live socket to set; returns how many. (The HAL sockets and the runner's
 * read function are boards/common/sealink_net_bsd.h.) */
int board_net_fill(fd_set *set, int *maxfd);
/** True when handle's socket is in set. */
int board_net_ready(int32_t handle, const fd_set *set);

#endif /* BOARD_ESP32_H */
