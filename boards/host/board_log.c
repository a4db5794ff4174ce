/*
 * Host log and control: hal_log goes to stderr, one line each; stdout is the
 * control channel other programs read (README "Control channel"), so
 * hal_control_deliver prints "control <feed> <hex body>" there.
 */
#include <stdarg.h>
#include <stdio.h>
#include "board_host.h"
#include "sealink_hal.h"

static const char LEVELS[] = "EWID";

int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len)
{
    char tag = level >= 0 && level <= 3 ? LEVELS[level] : '?';
    fprintf(stderr, "[sealink %c] ", tag);
    for (uint32_t i = 0; i < message_len; i++) {
        /* Control bytes could forge log lines or move a terminal's cursor. */
        uint8_t c = message[i];
        if (c < 0x20 || c == 0x7f) fprintf(stderr, "\\x%02x", c);
        else fputc(c, stderr);
    }
    fputc('\n', stderr);
    return HAL_OK;
}

void board_control_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len)
{
    printf("control %d ", (int)feed);
    for (uint32_t i = 0; i < body_len; i++) printf("%02x", body[i]);
    putchar('\n');
    fflush(stdout);
    return HAL_OK;
}
