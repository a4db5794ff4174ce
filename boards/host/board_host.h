/*
 * What the host board's main loop needs from its board_*.c files beyond the
 * HAL itself (hal/c/sealink_hal.h): where storage lives, and which sockets to
 * poll and read.
 */
#ifndef BOARD_HOST_H
#define BOARD_HOST_H

#include <poll.h>
#include <stdint.h>

/** Uses dir (created 0700 when missing) for hal_storage_*; 0, or -1 with errno. */
int board_storage_init(const char *dir);

/** Most sockets the core may hold open at once. */
#define BOARD_NET_MAX 4

/**
 * Fills fds/handles with every open, still readable socket (POLLIN);
 * returns how many (<= max).
 */
int board_net_pollfds(struct pollfd *fds, int32_t *handles, int max);

/**
 * Reads what is waiting on handle into buf: one datagram (UDP) or up to cap
 * bytes of the stream (TCP). Returns the byte count (> 0), 0 when nothing is
 * waiting, or -1 when the handle is unknown or the peer closed or failed the
 * connection. After -1 the handle stays allocated until hal_net_close, but
 * hal_net_send on it returns HAL_EIO, which is how the core learns that its
 * link is gone (the contract has no other way to say so).
 * A UDP datagram longer than cap is read whole and dropped (returns 0).
 */
int32_t board_net_recv(int32_t handle, uint8_t *buf, uint32_t cap);

/** Closes every socket (process exit). */
void board_net_close_all(void);

/** Prints one line on stdout, the host board's control channel (see README). */
void board_control_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BOARD_HOST_H */
