/*
 * nRF52840 network: Zephyr BSD sockets (zsock_*). Connect blocks; reads and
 * writes use ZSOCK_MSG_DONTWAIT. As on the other boards: a TCP send writes
 * everything or marks the connection dead, and a dead connection answers
 * HAL_EIO so the core reconnects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/net/socket.h>
#include "board_nrf.h"
#include "sealink_hal.h"

struct conn { int fd; int tcp; int dead; };
static struct conn conns[BOARD_NET_MAX] = { { -1, 0, 0 }, { -1, 0, 0 } };

static struct conn *conn_of(int32_t h)
{
    return h >= 0 && h < BOARD_NET_MAX && conns[h].fd >= 0 ? &conns[h] : NULL;
}

int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port)
{
    char name[65], service[8];
    int slot = -1;
    if ((transport != 0 && transport != 1) || host_len == 0 || host_len >= sizeof name || port <= 0 || port > 65535) return HAL_EINVAL;
    memcpy(name, host, host_len);
    name[host_len] = '\0';
    for (int i = 0; i < BOARD_NET_MAX && slot < 0; i++) if (conns[i].fd < 0) slot = i;
    if (slot < 0) return HAL_EAGAIN;
    snprintf(service, sizeof service, "%d", (int)port);
    struct zsock_addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_INET;
    hints.ai_socktype = transport == 1 ? SOCK_STREAM : SOCK_DGRAM;
    if (zsock_getaddrinfo(name, service, &hints, &ai) != 0 || ai == NULL) return HAL_EIO;
    int fd = zsock_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && zsock_connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        zsock_close(fd);
        fd = -1;
    }
    zsock_freeaddrinfo(ai);
    if (fd < 0) return HAL_EIO;
    conns[slot] = (struct conn){ fd, transport == 1, 0 };
    return slot;
}

int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len)
{
    struct conn *c = conn_of(handle);
    if (c == NULL) return HAL_ENOENT;
    if (c->dead) return HAL_EIO;
    uint32_t done = 0;
    int tries = 0;
    while (done < data_len) {
        ssize_t n = zsock_send(c->fd, data + done, data_len - done, ZSOCK_MSG_DONTWAIT);
        if (n > 0) { done += (uint32_t)n; continue; }
        if (n < 0 && errno == EAGAIN && !c->tcp) return HAL_EAGAIN;
        if (n < 0 && errno == EAGAIN && tries++ < 200) { k_msleep(5); continue; }
        if (c->tcp) c->dead = 1;
        return HAL_EIO;
    }
    return (int32_t)done;
}

int32_t hal_net_close(int32_t handle)
{
    struct conn *c = conn_of(handle);
    if (c == NULL) return HAL_ENOENT;
    zsock_close(c->fd);
    *c = (struct conn){ -1, 0, 0 };
    return HAL_OK;
}

int board_net_pollfds(struct zsock_pollfd *fds, int32_t *handles, int max)
{
    int n = 0;
    for (int i = 0; i < BOARD_NET_MAX && n < max; i++) {
        if (conns[i].fd < 0 || conns[i].dead) continue;
        fds[n] = (struct zsock_pollfd){ .fd = conns[i].fd, .events = ZSOCK_POLLIN };
        handles[n++] = i;
    }
    return n;
}

int32_t board_net_read(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap)
{
    (void)ctx;
    struct conn *c = conn_of(handle);
    if (c == NULL || c->dead) return -1;
    ssize_t n = zsock_recv(c->fd, buf, cap, ZSOCK_MSG_DONTWAIT);
    if (n > 0) return (int32_t)n;
    if (n < 0 && errno == EAGAIN) return 0;
    if (!c->tcp) return 0;
    c->dead = 1;
    return -1;
}
