/*
 * ESP32 network: lwIP BSD sockets. Connected UDP sockets, or TCP with the
 * core doing the framing. Connect blocks (bounded by SO_SNDTIMEO), then the
 * socket turns non-blocking for the select() loop in app_main.c. As on the
 * host: a TCP send writes everything or marks the connection dead, and a dead
 * connection answers HAL_EIO so the core reconnects.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "board_esp32.h"
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
    struct addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = transport == 1 ? SOCK_STREAM : SOCK_DGRAM;
    if (getaddrinfo(name, service, &hints, &ai) != 0 || ai == NULL) return HAL_EIO;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0) {
        struct timeval tv = { .tv_sec = 5, .tv_usec = 0 };
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) return HAL_EIO;
    if (transport == 1) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
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
        int n = send(c->fd, data + done, data_len - done, 0);
        if (n > 0) { done += (uint32_t)n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !c->tcp) return HAL_EAGAIN;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && tries++ < 200) { vTaskDelay(1); continue; }
        if (c->tcp) c->dead = 1;
        return HAL_EIO;
    }
    return (int32_t)done;
}

int32_t hal_net_close(int32_t handle)
{
    struct conn *c = conn_of(handle);
    if (c == NULL) return HAL_ENOENT;
    close(c->fd);
    *c = (struct conn){ -1, 0, 0 };
    return HAL_OK;
}

int board_net_fill(fd_set *set, int *maxfd)
{
    int n = 0;
    for (int i = 0; i < BOARD_NET_MAX; i++) {
        if (conns[i].fd < 0 || conns[i].dead) continue;
        FD_SET(conns[i].fd, set);
        if (conns[i].fd > *maxfd) *maxfd = conns[i].fd;
        n++;
    }
    return n;
}

int board_net_ready(int32_t handle, const fd_set *set)
{
    struct conn *c = conn_of(handle);
    return c != NULL && !c->dead && FD_ISSET(c->fd, set);
}

int32_t board_net_read(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap)
{
    (void)ctx;
    struct conn *c = conn_of(handle);
    if (c == NULL || c->dead) return -1;
    int n = recv(c->fd, buf, cap, 0);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (!c->tcp) return 0; /* ICMP errors and empty datagrams do not end a UDP link */
    c->dead = 1;
    return -1;
}
