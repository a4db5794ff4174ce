/*
 * HAL sockets over a board's BSD socket API (sealink_net_bsd.h). Board-
 * independent: the board's socket calls come in through board_net_*().
 */
#include <stdint.h>
#include "sealink_hal.h"
#include "sealink_net_bsd.h"

struct conn {
    int used;   /* 0: slot free (the zero-initialised state) */
    int fd;
    int tcp;
    int dead;   /* peer closed or failed: sends fail, reads fail, not waited on */
};

static struct conn conns[SEALINK_NET_MAX];

static struct conn *conn_of(int32_t handle)
{
    return handle >= 0 && handle < SEALINK_NET_MAX && conns[handle].used ? &conns[handle] : 0;
}

/** port (1..65535) in decimal, NUL-terminated, into out (at least 6 bytes). */
static void port_text(char *out, int32_t port)
{
    char rev[5];
    int n = 0;
    do { rev[n++] = (char)('0' + port % 10); port /= 10; } while (port > 0);
    for (int i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port)
{
    char name[SEALINK_NET_HOST_MAX + 1], service[8];
    int slot = -1;
    if ((transport != 0 && transport != 1) || host_len == 0 || host_len >= sizeof name || port <= 0 || port > 65535) return HAL_EINVAL;
    for (uint32_t i = 0; i < host_len; i++) name[i] = (char)host[i];
    name[host_len] = '\0';
    for (int i = 0; i < SEALINK_NET_MAX && slot < 0; i++) if (!conns[i].used) slot = i;
    if (slot < 0) return HAL_EAGAIN;
    port_text(service, port);
    int fd = board_net_connect(transport == 1, name, service);
    if (fd < 0) return HAL_EIO;
    conns[slot] = (struct conn){ .used = 1, .fd = fd, .tcp = transport == 1, .dead = 0 };
    return slot;
}

int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len)
{
    struct conn *c = conn_of(handle);
    if (c == 0) return HAL_ENOENT;
    if (c->dead) return HAL_EIO;
    uint32_t done = 0;
    int tries = 0;
    while (done < data_len) {
        int32_t n = board_net_sock_send(c->fd, data + done, data_len - done);
        if (n > 0) { done += (uint32_t)n; continue; }
        if (n == HAL_EAGAIN && !c->tcp) return HAL_EAGAIN;
        if (n == HAL_EAGAIN && tries++ < SEALINK_NET_SEND_TRIES) { board_net_backoff(); continue; }
        if (c->tcp) c->dead = 1;
        return HAL_EIO;
    }
    return (int32_t)done;
}

int32_t hal_net_close(int32_t handle)
{
    struct conn *c = conn_of(handle);
    if (c == 0) return HAL_ENOENT;
    board_net_sock_close(c->fd);
    *c = (struct conn){ .used = 0, .fd = -1, .tcp = 0, .dead = 0 };
    return HAL_OK;
}

int sealink_net_fd(int32_t handle)
{
    struct conn *c = conn_of(handle);
    return c != 0 && !c->dead ? c->fd : -1;
}

int32_t sealink_net_read(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap)
{
    (void)ctx;
    struct conn *c = conn_of(handle);
    if (c == 0 || c->dead) return -1;
    int32_t n = board_net_sock_recv(c->fd, buf, cap);
    if (n > 0) return n;
    if (n == HAL_EAGAIN) return 0;
    if (!c->tcp) return 0; /* ICMP errors and empty datagrams do not end a UDP link */
    c->dead = 1;
    return -1;
}
