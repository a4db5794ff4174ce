/* What main.c needs from the nRF52840-DK board files beyond sealink_hal.h. */
#ifndef BOARD_NRF_H
#define BOARD_NRF_H

#include <stdint.h>
#include <zephyr/net/socket.h>
#include "sealink_net_bsd.h"

/** settings_subsys_init; 0 or a negative errno. */
int board_storage_init(void);
/** Fills fds with every live socket (ZSOCK_POLLIN) and handles with their HAL handles; returns how many.
 * (The HAL sockets and the runner's read function are boards/common/sealink_net_bsd.h.) */
int board_net_pollfds(struct zsock_pollfd *fds, int32_t *handles, int max);

#endif /* BOARD_NRF_H */
