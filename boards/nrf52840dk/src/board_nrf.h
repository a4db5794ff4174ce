/* What main.c needs from the nRF52840-DK board files beyond sealink_hal.h. */
#ifndef BOARD_NRF_H
#define BOARD_NRF_H

#include <stdint.h>
#include <zephyr/net/socket.h>

#define BOARD_NET_MAX 2

/** settings_subsys_init; 0 or a negative errno. */
int board_storage_init(void);
/** Fills fds with every live socket (ZSOCK_POLLIN) and handles with their HAL handles; returns how many. */
int board_net_pollfds(struct zsock_pollfd *fds, int32_t *handles, int max);
/** sealink_read_fn for the runner: > 0 bytes, 0 nothing waiting, -1 closed. */
int32_t board_net_read(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap);

#endif /* BOARD_NRF_H */
