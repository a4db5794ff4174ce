/*
 * sealink-host: the release sensor core (wasm2c) on a POSIX host, with the
 * board HAL in board_*.c. The loop is the one every board runs:
 *
 *   fw_init; loop { wait = fw_step(); poll(sockets, wait);
 *                   for each read: copy into fw_rx_ptr() (at most fw_rx_bytes()),
 *                   fw_on_packet(handle, n) }
 *
 * Usage and the stdout control channel: boards/host/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "wasm-rt-impl.h"
#include "sealink_host.h"
#include "sealink_hal.h"
#include "board_host.h"
#include "sealink_claim.h"

/* The status record fw_status writes (firmware/protocol/status.ts). */
#define STATUS_RECORD_BYTES 88u
#define STATUS_STATE 0u
#define STATUS_ERROR 4u
#define STATUS_QUEUED 8u
#define STATUS_ACKED 64u
static const char *const STATE_NAMES[] = { "unenrolled", "enrolling", "connecting", "established" };
#define STATE_ESTABLISHED 3u

#define BUNDLE_MAX_BYTES 512u
#define LINE_MAX_BYTES 4096u
#define MAX_STEP_WAIT_MS 60000
#define READS_PER_WAKE 64

static Z_sealink_instance_t core;
static volatile sig_atomic_t stop_signal;

struct options {
    const char *state_dir;
    const char *enroll_file;
    int prefer_tcp;
    const char **sends;
    int send_count;
    int send_stdin;
    int exit_when_idle;
    long timeout_ms;
    int quiet;
};

static void usage(FILE *f)
{
    fputs("usage: sealink-host --state DIR [--enroll FILE [--transport udp|tcp]] [--send TEXT]... [--send-stdin]\n"
          "                    [--exit-when-idle] [--timeout MS] [--quiet]\n"
          "  --state DIR       device storage (created 0700): identity, enrollment, queue\n"
          "  --enroll FILE     enroll with the claim in FILE (\"-\": stdin): the owner's sealink1:\n"
          "                    string, or a binary device bundle (firmware/protocol/conf.ts)\n"
          "  --transport T     udp (default) or tcp, when the claim offers both\n"
          "  --send TEXT       queue TEXT as one DATA item (repeatable)\n"
          "  --send-stdin      queue each line of stdin as one DATA item\n"
          "  --exit-when-idle  exit 0 once connected with nothing left unacknowledged\n"
          "  --timeout MS      exit 3 after MS milliseconds\n"
          "  --quiet           no state/acked lines on stdout\n", f);
}

static uint8_t *mem_at(uint32_t addr, uint32_t len)
{
    wasm_rt_memory_t *m = Z_sealinkZ_memory(&core);
    if ((uint64_t)addr + len > m->size) {
        fprintf(stderr, "sealink-host: the core named a buffer outside its memory (%u+%u)\n", addr, len);
        exit(2);
    }
    return m->data + addr;
}

static uint8_t *io_buf(uint32_t len)
{
    if (len > Z_sealinkZ_fw_io_bytes(&core)) return NULL;
    return mem_at(Z_sealinkZ_fw_io_ptr(&core), len);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int queue_send(const uint8_t *data, uint32_t len)
{
    uint8_t *io = io_buf(len);
    int32_t st = HAL_EINVAL;
    if (io != NULL) {
        memcpy(io, data, len);
        st = (int32_t)Z_sealinkZ_fw_send(&core, 0, len);
        memset(io, 0, len);
    }
    if (st != HAL_OK) board_control_line("send-failed %d", (int)st);
    return st;
}

static int enroll(const char *path, int prefer_tcp)
{
    uint8_t bundle[BUNDLE_MAX_BYTES];
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "sealink-host: cannot open claim bundle %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(bundle, 1, sizeof bundle, f);
    int too_long = !feof(f);
    if (f != stdin) fclose(f);
    if (too_long || n == 0) {
        fprintf(stderr, "sealink-host: %s is not a claim bundle (%s)\n", path, n == 0 ? "empty" : "too long");
        return -1;
    }
    uint8_t device[SEALINK_BUNDLE_MAX_BYTES];
    if (bundle[0] != 1) {
        /* Text: the owner's sealink1: line, alone or in `sealink claim create` output. */
        bundle[n < sizeof bundle ? n : sizeof bundle - 1] = 0;
        const char *line = strstr((const char *)bundle, SEALINK_CLAIM_PREFIX);
        int32_t len = line ? sealink_claim_from_text(line, prefer_tcp ? SEALINK_PREFER_TCP : SEALINK_PREFER_UDP, device)
                           : HAL_EINVAL;
        memset(bundle, 0, sizeof bundle);
        if (len < 0) {
            fprintf(stderr, "sealink-host: %s: not a valid sealink1: claim (or its host is longer than 64 bytes)\n", path);
            return -1;
        }
        memcpy(bundle, device, (size_t)len);
        memset(device, 0, sizeof device);
        n = (size_t)len;
    }
    uint8_t *io = io_buf((uint32_t)n);
    memcpy(io, bundle, n);
    int32_t st = (int32_t)Z_sealinkZ_fw_enroll(&core, 0, (uint32_t)n);
    memset(io, 0, n);          /* the bundle holds the secret claim token */
    memset(bundle, 0, sizeof bundle);
    if (st != HAL_OK) {
        fprintf(stderr, "sealink-host: fw_enroll refused the bundle (status %d)\n", (int)st);
        return -1;
    }
    return 0;
}

struct progress { int state; uint32_t acked; uint32_t queued; int32_t error; };

static struct progress read_status(void)
{
    uint8_t *rec = io_buf(STATUS_RECORD_BYTES);
    struct progress p = { -1, 0, 0, 0 };
    if (Z_sealinkZ_fw_status(&core, 0) != HAL_OK) return p;
    p.state = rec[STATUS_STATE];
    p.error = (int32_t)le32(rec + STATUS_ERROR);
    p.queued = le32(rec + STATUS_QUEUED);
    p.acked = le32(rec + STATUS_ACKED);
    return p;
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        { "state", required_argument, 0, 's' }, { "enroll", required_argument, 0, 'e' },
        { "send", required_argument, 0, 'm' }, { "send-stdin", no_argument, 0, 'i' },
        { "exit-when-idle", no_argument, 0, 'x' }, { "timeout", required_argument, 0, 't' },
        { "quiet", no_argument, 0, 'q' }, { "transport", required_argument, 0, 'T' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    o->sends = calloc((size_t)argc, sizeof *o->sends);
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's': o->state_dir = optarg; break;
        case 'e': o->enroll_file = optarg; break;
        case 'm': o->sends[o->send_count++] = optarg; break;
        case 'i': o->send_stdin = 1; break;
        case 'x': o->exit_when_idle = 1; break;
        case 't': o->timeout_ms = strtol(optarg, NULL, 10); break;
        case 'q': o->quiet = 1; break;
        case 'T':
            if (strcmp(optarg, "udp") != 0 && strcmp(optarg, "tcp") != 0) {
                fputs("sealink-host: --transport is udp or tcp\n", stderr);
                return -1;
            }
            o->prefer_tcp = strcmp(optarg, "tcp") == 0;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (o->state_dir == NULL || optind != argc) {
        usage(stderr);
        return -1;
    }
    if (o->send_stdin && o->enroll_file && strcmp(o->enroll_file, "-") == 0) {
        fputs("sealink-host: --enroll - and --send-stdin both want stdin\n", stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = { 0 };
    if (parse(argc, argv, &o) != 0) return 1;
    if (board_storage_init(o.state_dir) != 0) {
        fprintf(stderr, "sealink-host: state directory %s: %s\n", o.state_dir, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    sealink_core_open(&core);
    int trap = wasm_rt_impl_try();
    if (trap != 0) {
        fprintf(stderr, "sealink-host: the core trapped (wasm2c trap %d)\n", trap);
        board_control_line("exit trap");
        board_net_close_all();
        return 2;
    }
    int32_t st = (int32_t)Z_sealinkZ_fw_init(&core);
    if (st != HAL_OK) {
        fprintf(stderr, "sealink-host: fw_init failed (status %d): is %s writable?\n", (int)st, o.state_dir);
        return 1;
    }
    uint8_t *pub = io_buf(32);
    Z_sealinkZ_fw_public_key(&core, 0);
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", pub[i]);
    board_control_line("public-key %s", hex);
    if (o.enroll_file && enroll(o.enroll_file, o.prefer_tcp) != 0) return 1;
    for (int i = 0; i < o.send_count; i++) queue_send((const uint8_t *)o.sends[i], (uint32_t)strlen(o.sends[i]));

    static char line[LINE_MAX_BYTES];
    size_t line_len = 0;
    int stdin_open = o.send_stdin;
    if (stdin_open) fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    long deadline = o.timeout_ms > 0 ? now_ms() + o.timeout_ms : 0;
    struct progress last = { -1, 0, 0, 0 };
    int exit_code = 0;

    while (!stop_signal) {
        int32_t wait = (int32_t)Z_sealinkZ_fw_step(&core);
        struct progress p = read_status();
        if (!o.quiet && p.state != last.state && p.state >= 0 && p.state <= 3) board_control_line("state %s", STATE_NAMES[p.state]);
        if (!o.quiet && p.acked != last.acked) board_control_line("acked %u", p.acked);
        if (p.error != last.error && p.error != 0) fprintf(stderr, "sealink-host: core error %d (firmware/protocol/status.ts ERR_*)\n", (int)p.error);
        last = p;
        if (o.exit_when_idle && p.state == (int)STATE_ESTABLISHED && p.queued == 0 && !stdin_open) {
            board_control_line("exit idle");
            break;
        }
        if (wait < 0 || wait > MAX_STEP_WAIT_MS) wait = wait < 0 ? 0 : MAX_STEP_WAIT_MS;
        if (deadline) {
            long left = deadline - now_ms();
            if (left <= 0) {
                board_control_line("exit timeout");
                exit_code = 3;
                break;
            }
            if (left < wait) wait = (int32_t)left;
        }

        struct pollfd fds[BOARD_NET_MAX + 1];
        int32_t handles[BOARD_NET_MAX];
        int n = board_net_pollfds(fds, handles, BOARD_NET_MAX);
        if (stdin_open) fds[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };
        int r = poll(fds, (nfds_t)(n + (stdin_open ? 1 : 0)), wait);
        if (r < 0 && errno != EINTR) {
            perror("sealink-host: poll");
            exit_code = 1;
            break;
        }
        if (r <= 0) continue;

        for (int i = 0; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLERR | POLLHUP))) continue;
            for (int k = 0; k < READS_PER_WAKE; k++) {
                /* Ask for both before every read: the receive window moves
                 * while the core reassembles TCP messages. */
                uint32_t rx = (uint32_t)Z_sealinkZ_fw_rx_ptr(&core);
                uint32_t cap = (uint32_t)Z_sealinkZ_fw_rx_bytes(&core);
                int32_t got = board_net_recv(handles[i], mem_at(rx, cap), cap);
                if (got <= 0) break;
                int32_t ps = (int32_t)Z_sealinkZ_fw_on_packet(&core, handles[i], (uint32_t)got);
                if (ps != HAL_OK && ps != HAL_ENOENT) fprintf(stderr, "sealink-host: fw_on_packet: status %d\n", (int)ps);
            }
        }
        if (stdin_open && (fds[n].revents & (POLLIN | POLLHUP | POLLERR))) {
            for (;;) {
                ssize_t got = read(STDIN_FILENO, line + line_len, sizeof line - line_len);
                if (got < 0 && errno == EINTR) continue;
                if (got < 0) break; /* EAGAIN: read the rest on the next wake */
                if (got == 0) {
                    if (line_len > 0) queue_send((const uint8_t *)line, (uint32_t)line_len);
                    line_len = 0;
                    stdin_open = 0;
                    break;
                }
                line_len += (size_t)got;
                char *nl;
                while ((nl = memchr(line, '\n', line_len)) != NULL) {
                    size_t len = (size_t)(nl - line);
                    if (len > 0) queue_send((const uint8_t *)line, (uint32_t)len);
                    memmove(line, nl + 1, line_len - len - 1);
                    line_len -= len + 1;
                }
                if (line_len == sizeof line) {
                    board_control_line("send-failed %d", HAL_EINVAL);
                    line_len = 0;
                }
            }
        }
    }
    if (stop_signal) board_control_line("exit signal");
    board_net_close_all();
    sealink_core_close(&core);
    return exit_code;
}
