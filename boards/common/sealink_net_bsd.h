/*
 * The HAL sockets of the boards whose network is a BSD socket API (lwIP on
 * ESP-IDF, Zephyr's zsock_*): the connection table, hal_net_open/send/close
 * and the runner's read function, written once. The board supplies the five
 * thin wrappers declared below over its own socket calls; that is all that
 * differs between lwIP and Zephyr. (The host board keeps its own POSIX
 * board_net.c: it tries every resolved address with a bounded non-blocking
 * connect, waits on POLLOUT instead of sleeping, and reads datagrams with
 * MSG_TRUNC.)
 *
 * Semantics, the same on every board (boards/README.md):
 *  - UDP sockets are connected, so only the relay's datagrams are read; TCP is
 *    one byte stream that the core frames itself.
 *  - A TCP send writes everything or marks the connection dead: a partial
 *    message would desynchronise the framing. A dead connection answers
 *    HAL_EIO to every send and -1 to every read, is not waited on, and stays
 *    allocated until hal_net_close; that is how the core learns to reconnect.
 *  - A UDP send that would block answers HAL_EAGAIN (the core re-sends on its
 *    own timers); a UDP read error or empty datagram is not fatal.
 * No libc, no allocation, all state static (compiled for Cortex-M4 in CI).
 */
#ifndef SEALINK_NET_BSD_H
#define SEALINK_NET_BSD_H

#include <stdint.h>

/** Sockets the core may hold open at once (handles 0..SEALINK_NET_MAX-1). */
#ifndef SEALINK_NET_MAX
#define SEALINK_NET_MAX 2
#endif

/** Longest host name hal_net_open takes, in bytes. */
#define SEALINK_NET_HOST_MAX 64

/** How often a TCP send that would block is retried, with board_net_backoff() between tries. */
#define SEALINK_NET_SEND_TRIES 200

/** The socket of handle when it is open and alive (worth waiting on), else -1. */
int sealink_net_fd(int32_t handle);

/**
 * sealink_read_fn for sealink_runner_receive: what is waiting on handle, one
 * datagram (UDP) or up to cap bytes of the stream (TCP). > 0 bytes, 0 when
 * nothing is waiting, -1 when the handle is unknown or the link is dead.
 */
int32_t sealink_net_read(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap);

/* ---- what the board implements (its board_net.c) ---- */

/**
 * Resolves host:service (both NUL-terminated, service in decimal), makes a UDP
 * (tcp == 0) or TCP socket, connects it and sets the board's options, leaving
 * it non-blocking for reads and writes. The socket (>= 0), or -1. May block,
 * bounded by the board.
 */
int board_net_connect(int tcp, const char *host, const char *service);

/** One non-blocking send: what the call returned when >= 0, HAL_EAGAIN when it would block, HAL_EIO on any other error. */
int32_t board_net_sock_send(int fd, const uint8_t *data, uint32_t len);

/** One non-blocking receive: what the call returned when >= 0 (0: the peer closed), HAL_EAGAIN when nothing is waiting, HAL_EIO on any other error. */
int32_t board_net_sock_recv(int fd, uint8_t *buf, uint32_t cap);

void board_net_sock_close(int fd);

/** A short sleep before a TCP send that would block is tried again. */
void board_net_backoff(void);

#endif /* SEALINK_NET_BSD_H */
