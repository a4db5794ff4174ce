/*
 * ESP32 network: the lwIP calls under boards/common/sealink_net_bsd.c (which
 * holds the connection table and the HAL socket semantics), and the select()
 * sets of the loop in app_main.c. Connect blocks, bounded by SO_SNDTIMEO; the
 * socket then turns non-blocking. A TCP send that would block is retried
 * after one tick.
 */
#include <errno.h>
#include <fcntl.h>
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "board_esp32.h"
#include "sealink_hal.h"

int board_net_connect(int tcp, const char *host, const char *service)
{
    struct addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    if (getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL) return -1;
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
    if (fd < 0) return -1;
    if (tcp) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    return fd;
}

/** HAL_EAGAIN or HAL_EIO for a failed call, by errno. */
static int32_t failure(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK ? HAL_EAGAIN : HAL_EIO;
}

int32_t board_net_sock_send(int fd, const uint8_t *data, uint32_t len)
{
    int n = send(fd, data, len, 0);
    return n >= 0 ? n : failure();
}

int32_t board_net_sock_recv(int fd, uint8_t *buf, uint32_t cap)
{
    int n = recv(fd, buf, cap, 0);
    return n >= 0 ? n : failure();
}

void board_net_sock_close(int fd)
{
    close(fd);
}

void board_net_backoff(void)
{
    vTaskDelay(1);
}

int board_net_fill(fd_set *set, int *maxfd)
{
    int n = 0;
    for (int32_t h = 0; h < SEALINK_NET_MAX; h++) {
        int fd = sealink_net_fd(h);
        if (fd < 0) continue;
        FD_SET(fd, set);
        if (fd > *maxfd) *maxfd = fd;
        n++;
    }
    return n;
}

int board_net_ready(int32_t handle, const fd_set *set)
{
    int fd = sealink_net_fd(handle);
    return fd >= 0 && FD_ISSET(fd, set);
}
