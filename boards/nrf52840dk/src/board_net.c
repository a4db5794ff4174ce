/*
 * nRF52840 network: the Zephyr socket calls (zsock_*, IPv4) under
 * boards/common/sealink_net_bsd.c (which holds the connection table and the
 * HAL socket semantics), and the poll set of the loop in main.c. Connect
 * blocks; reads and writes use ZSOCK_MSG_DONTWAIT. A TCP send that would
 * block is retried after 5 ms.
 */
#include <errno.h>
#include <zephyr/kernel.h>
#include <zephyr/net/socket.h>
#include "board_nrf.h"
#include "sealink_hal.h"

int board_net_connect(int tcp, const char *host, const char *service)
{
    struct zsock_addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_INET;
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    if (zsock_getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL) return -1;
    int fd = zsock_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && zsock_connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        zsock_close(fd);
        fd = -1;
    }
    zsock_freeaddrinfo(ai);
    return fd;
}

int32_t board_net_sock_send(int fd, const uint8_t *data, uint32_t len)
{
    ssize_t n = zsock_send(fd, data, len, ZSOCK_MSG_DONTWAIT);
    return n >= 0 ? (int32_t)n : errno == EAGAIN ? HAL_EAGAIN : HAL_EIO;
}

int32_t board_net_sock_recv(int fd, uint8_t *buf, uint32_t cap)
{
    ssize_t n = zsock_recv(fd, buf, cap, ZSOCK_MSG_DONTWAIT);
    return n >= 0 ? (int32_t)n : errno == EAGAIN ? HAL_EAGAIN : HAL_EIO;
}

void board_net_sock_close(int fd)
{
    zsock_close(fd);
}

void board_net_backoff(void)
{
    k_msleep(5);
}

int board_net_pollfds(struct zsock_pollfd *fds, int32_t *handles, int max)
{
    int n = 0;
    for (int32_t h = 0; h < SEALINK_NET_MAX && n < max; h++) {
        int fd = sealink_net_fd(h);
        if (fd < 0) continue;
        fds[n] = (struct zsock_pollfd){ .fd = fd, .events = ZSOCK_POLLIN };
        handles[n++] = h;
    }
    return n;
}
