/*
 * Host network: UDP and TCP sockets, non-blocking, polled by main.c.
 *
 * UDP sockets are connect()ed, so only the relay's datagrams are read and an
 * ICMP "port unreachable" surfaces as ECONNREFUSED on the next send (HAL_EAGAIN:
 * the relay may just be restarting; the core re-sends on its own timers).
 * TCP is one byte stream; the core does the length framing. A send writes the
 * whole buffer or fails: a partial message would desynchronise the framing,
 * so after a failure the connection is marked dead and every later send
 * returns HAL_EIO, which makes the core close it and reconnect.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "board_host.h"
#include "sealink_hal.h"

#define CONNECT_TIMEOUT_MS 5000
#define SEND_TIMEOUT_MS 2000

struct conn {
    int fd;       /* -1: slot free */
    int tcp;
    int dead;     /* peer closed or failed: sends fail, not polled */
};

static struct conn conns[BOARD_NET_MAX] = {
    { -1, 0, 0 }, { -1, 0, 0 }, { -1, 0, 0 }, { -1, 0, 0 },
};

static struct conn *conn_of(int32_t handle)
{
    if (handle < 0 || handle >= BOARD_NET_MAX || conns[handle].fd < 0) return NULL;
    return &conns[handle];
}

static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    int r;
    do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
    return r;
}

static int connect_one(const struct addrinfo *ai, int tcp)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (tcp && errno == EINPROGRESS && wait_fd(fd, POLLOUT, CONNECT_TIMEOUT_MS) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) return fd;
    }
    close(fd);
    return -1;
}

int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port)
{
    char name[256], service[8];
    struct addrinfo hints, *list = NULL;
    int slot = -1;
    if ((transport != 0 && transport != 1) || host_len == 0 || host_len >= sizeof name
        || port <= 0 || port > 65535) return HAL_EINVAL;
    memcpy(name, host, host_len);
    name[host_len] = '\0';
    if (memchr(name, '\0', host_len) != NULL) return HAL_EINVAL;
    for (int i = 0; i < BOARD_NET_MAX; i++) {
        if (conns[i].fd < 0) { slot = i; break; }
    }
    if (slot < 0) return HAL_EAGAIN;
    snprintf(service, sizeof service, "%d", (int)port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = transport == 1 ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(name, service, &hints, &list) != 0) return HAL_EIO;
    int fd = -1;
    for (const struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) fd = connect_one(ai, transport == 1);
    freeaddrinfo(list);
    if (fd < 0) return HAL_EIO;
    if (transport == 1) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    conns[slot] = (struct conn){ .fd = fd, .tcp = transport == 1, .dead = 0 };
    return slot;
}

int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len)
{
    struct conn *c = conn_of(handle);
    if (c == NULL) return HAL_ENOENT;
    if (c->dead) return HAL_EIO;
    if (!c->tcp) {
        ssize_t n = send(c->fd, data, data_len, MSG_NOSIGNAL);
        if (n == (ssize_t)data_len) return (int32_t)n;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ECONNREFUSED)) return HAL_EAGAIN;
        return HAL_EIO;
    }
    uint32_t done = 0;
    while (done < data_len) {
        ssize_t n = send(c->fd, data + done, data_len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (uint32_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(c->fd, POLLOUT, SEND_TIMEOUT_MS) == 1) {
            continue;
        } else {
            c->dead = 1;
            return HAL_EIO;
        }
    }
    return (int32_t)done;
}

int32_t hal_net_close(int32_t handle)
{
    struct conn *c = conn_of(handle);
    if (c == NULL) return HAL_ENOENT;
    close(c->fd);
    *c = (struct conn){ .fd = -1, .tcp = 0, .dead = 0 };
    return HAL_OK;
}

int board_net_pollfds(struct pollfd *fds, int32_t *handles, int max)
{
    int n = 0;
    for (int i = 0; i < BOARD_NET_MAX && n < max; i++) {
        if (conns[i].fd < 0 || conns[i].dead) continue;
        fds[n] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN, .revents = 0 };
        handles[n++] = i;
    }
    return n;
}

int32_t board_net_recv(int32_t handle, uint8_t *buf, uint32_t cap)
{
    struct conn *c = conn_of(handle);
    if (c == NULL || c->dead) return -1;
    if (cap == 0) return 0;
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, c->tcp ? 0 : MSG_TRUNC);
        if (n > 0) {
            if (!c->tcp && (size_t)n > cap) return 0; /* oversized datagram: the protocol drops it anyway */
            return (int32_t)n;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n < 0 && !c->tcp) return 0; /* e.g. ECONNREFUSED from an ICMP error: not fatal for UDP */
        if (n == 0 && !c->tcp) return 0; /* an empty datagram */
        c->dead = 1;
        return -1;
    }
}

void board_net_close_all(void)
{
    for (int i = 0; i < BOARD_NET_MAX; i++) {
        if (conns[i].fd >= 0) hal_net_close(i);
    }
}
