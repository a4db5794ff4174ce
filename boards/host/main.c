/*
 * sealink-host: the release sensor core (wasm2c) on a POSIX host, with the
 * board HAL in board_*.c. The loop is the one every board runs:
 *
 *   fw_init; loop { wait = fw_step(); poll(sockets, wait);
 *                   for each read: copy into fw_rx_ptr() (at most fw_rx_bytes()),
 *                   fw_on_packet(handle, n) }
 *
 * Readings are sealed on the device (fw_reading) to the owner the claim names.
 * With --console, stdin is the serial console every board offers
 * (boards/common/sealink_console.c, over board_runner.c).
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
#include "sealink_runner.h"
#include "sealink_console.h"
#include "sealink_claim.h"
#include "board_host.h"
#include "board_runner.h"

static const char *const STATE_NAMES[] = { "unenrolled", "enrolling", "connecting", "established" };
#define STATE_CONNECTING 2   /* enrolled: from here on fw_reading seals */
#define STATE_ESTABLISHED 3

#define BUNDLE_MAX_BYTES 512u
#define LINE_MAX_BYTES 4096u
#define MAX_STEP_WAIT_MS 60000
#define READS_PER_WAKE 64
#define SEND_FEED 1u         /* --send and --send-stdin: `reading 1 <text>`, as the console's `send` */

static Z_sealink_instance_t core;
static volatile sig_atomic_t stop_signal;

enum stdin_mode { STDIN_NONE, STDIN_READINGS, STDIN_CONSOLE };

struct cli_reading { uint32_t feed; const char *text; };

struct options {
    const char *state_dir;
    const char *enroll_file;
    int prefer_tcp;
    struct cli_reading *readings;
    int reading_count;
    enum stdin_mode stdin_mode;
    int exit_when_idle;
    long timeout_ms;
    int quiet;
};

static void usage(FILE *f)
{
    fputs("usage: sealink-host --state DIR [--enroll FILE [--transport udp|tcp]] [--reading FEED:TEXT]... [--send TEXT]...\n"
          "                    [--send-stdin | --console] [--exit-when-idle] [--timeout MS] [--quiet]\n"
          "  --state DIR          device storage (created 0700): identity, enrollment, queue\n"
          "  --enroll FILE        enroll with the claim in FILE (\"-\": stdin): the owner's sealink1:\n"
          "                       string, or a binary device bundle (firmware/protocol/conf.ts)\n"
          "  --transport T        udp (default) or tcp, when the claim offers both\n"
          "  --reading FEED:TEXT  seal TEXT as the next reading of FEED (0..65535) to the owner\n"
          "                       (repeatable; sent once enrolled)\n"
          "  --send TEXT          the same as --reading 1:TEXT\n"
          "  --send-stdin         seal each line of stdin as a reading of feed 1\n"
          "  --console            stdin is the board console: enroll, reading, send, status, did\n"
          "  --exit-when-idle     exit 0 once connected with nothing left unacknowledged (and stdin at EOF)\n"
          "  --timeout MS         exit 3 after MS milliseconds\n"
          "  --quiet              no state/acked lines on stdout\n", f);
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
    int32_t st = sealink_runner_enroll(bundle, (uint32_t)n); /* wipes its copy in the core */
    memset(bundle, 0, sizeof bundle);                        /* the bundle holds the secret claim token */
    if (st != HAL_OK) {
        fprintf(stderr, "sealink-host: fw_enroll refused the bundle (status %d)\n", (int)st);
        return -1;
    }
    return 0;
}

/* Seals one reading. 1 done (queued, or refused for good: reported), 0 the queue is full: try again later. */
static int submit_reading(uint32_t feed, const char *text, size_t len)
{
    int32_t st = sealink_runner_reading(feed, (const uint8_t *)text, (uint32_t)len);
    if (st == HAL_ENOSPC) return 0;
    if (st != HAL_OK) board_control_line("reading-failed %d", (int)st);
    return 1;
}

struct progress { int state; uint32_t acked; uint32_t queued; int32_t error; };

static struct progress read_status(void)
{
    uint8_t rec[SEALINK_STATUS_BYTES];
    struct progress p = { -1, 0, 0, 0 };
    if (sealink_runner_status(rec) != HAL_OK) return p;
    p.state = rec[SEALINK_STATUS_STATE];
    p.error = (int32_t)le32(rec + SEALINK_STATUS_ERROR);
    p.queued = le32(rec + SEALINK_STATUS_QUEUED);
    p.acked = le32(rec + SEALINK_STATUS_ACKED);
    return p;
}

static void console_print(const char *text)
{
    board_control_line("%s", text);
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

static int parse_reading(const char *arg, struct cli_reading *r)
{
    char *end;
    errno = 0;
    unsigned long feed = strtoul(arg, &end, 10);
    if (end == arg || *end != ':' || errno != 0 || feed > 0xffffUL || arg[0] == '-' || arg[0] == '+') {
        fprintf(stderr, "sealink-host: --reading wants FEED:TEXT with FEED 0..65535, not \"%s\"\n", arg);
        return -1;
    }
    r->feed = (uint32_t)feed;
    r->text = end + 1;
    return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        { "state", required_argument, 0, 's' }, { "enroll", required_argument, 0, 'e' },
        { "reading", required_argument, 0, 'r' }, { "send", required_argument, 0, 'm' },
        { "send-stdin", no_argument, 0, 'i' }, { "console", no_argument, 0, 'c' },
        { "exit-when-idle", no_argument, 0, 'x' }, { "timeout", required_argument, 0, 't' },
        { "quiet", no_argument, 0, 'q' }, { "transport", required_argument, 0, 'T' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    o->readings = calloc((size_t)argc, sizeof *o->readings);
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's': o->state_dir = optarg; break;
        case 'e': o->enroll_file = optarg; break;
        case 'r':
            if (parse_reading(optarg, &o->readings[o->reading_count]) != 0) return -1;
            o->reading_count++;
            break;
        case 'm': o->readings[o->reading_count++] = (struct cli_reading){ SEND_FEED, optarg }; break;
        case 'i':
        case 'c':
            if (o->stdin_mode != STDIN_NONE) {
                fputs("sealink-host: --send-stdin and --console both want stdin\n", stderr);
                return -1;
            }
            o->stdin_mode = c == 'i' ? STDIN_READINGS : STDIN_CONSOLE;
            break;
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
    if (o->stdin_mode != STDIN_NONE && o->enroll_file && strcmp(o->enroll_file, "-") == 0) {
        fputs("sealink-host: --enroll - and --send-stdin/--console both want stdin\n", stderr);
        return -1;
    }
    return 0;
}

/* stdin, for --send-stdin (a reading per line) and --console (bytes to the console). */
static struct {
    int open;
    char line[LINE_MAX_BYTES];
    size_t len;
} in;

/*
 * --send-stdin: seals each complete line (a partial one too at EOF) as a
 * reading of feed 1. Returns 1 while a line waits for room in the queue.
 */
static int drain_lines(void)
{
    char *nl;
    while ((nl = memchr(in.line, '\n', in.len)) != NULL || (!in.open && in.len > 0)) {
        size_t len = nl ? (size_t)(nl - in.line) : in.len;
        if (len > 0 && !submit_reading(SEND_FEED, in.line, len)) return 1;
        size_t used = nl ? len + 1 : len;
        memmove(in.line, in.line + used, in.len - used);
        in.len -= used;
    }
    if (in.len == sizeof in.line) {
        board_control_line("reading-failed %d", HAL_EINVAL);
        in.len = 0;
    }
    return 0;
}

/*
 * Reads what stdin has (non-blocking). The console gets every byte at once;
 * --send-stdin appends one read to the line buffer, which the loop drains
 * when the core can seal (enrolled, room in the queue).
 */
static void read_stdin(enum stdin_mode mode)
{
    for (;;) {
        char *at = mode == STDIN_CONSOLE ? in.line : in.line + in.len;
        size_t room = mode == STDIN_CONSOLE ? sizeof in.line : sizeof in.line - in.len;
        ssize_t got = read(STDIN_FILENO, at, room);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return; /* EAGAIN: the rest on the next wake */
        if (got == 0) {
            if (mode == STDIN_CONSOLE) sealink_console_feed('\n'); /* runs a last line without newline */
            in.open = 0;
            return;
        }
        if (mode != STDIN_CONSOLE) {
            in.len += (size_t)got;
            return;
        }
        for (ssize_t i = 0; i < got; i++) sealink_console_feed(in.line[i]);
        memset(in.line, 0, (size_t)got); /* an enroll line holds the claim token */
    }
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
    board_runner_bind(&core);
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
    uint8_t pub[32];
    sealink_runner_public_key(pub);
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", pub[i]);
    board_control_line("public-key %s", hex);
    if (o.enroll_file && enroll(o.enroll_file, o.prefer_tcp) != 0) return 1;
    if (!o.enroll_file && (o.reading_count > 0 || o.stdin_mode == STDIN_READINGS) && read_status().state == 0) {
        fputs("sealink-host: not enrolled, so there is no owner to seal readings to: pass --enroll FILE\n", stderr);
        return 1;
    }
    if (o.stdin_mode == STDIN_CONSOLE) sealink_console_init(console_print);

    in.open = o.stdin_mode != STDIN_NONE;
    if (in.open) fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    int next_reading = 0;
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

        /* Readings need the owner's key, which arrives with the enrollment. A
         * full queue (HAL_ENOSPC) holds them back until the relay acknowledges. */
        int enrolled = p.state >= STATE_CONNECTING;
        while (enrolled && next_reading < o.reading_count) {
            const struct cli_reading *r = &o.readings[next_reading];
            if (!submit_reading(r->feed, r->text, strlen(r->text))) break;
            next_reading++;
        }
        int cli_done = next_reading == o.reading_count;
        int line_waits = o.stdin_mode == STDIN_READINGS && (!enrolled || !cli_done || drain_lines());

        if (o.exit_when_idle && p.state == STATE_ESTABLISHED && p.queued == 0 && !in.open && cli_done && in.len == 0) {
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
        /* Stop reading stdin while a line waits: its lines are the backlog. */
        int poll_stdin = in.open && !line_waits;
        if (poll_stdin) fds[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };
        int r = poll(fds, (nfds_t)(n + (poll_stdin ? 1 : 0)), wait);
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
                int32_t got = board_net_recv(handles[i], board_runner_mem(rx, cap), cap);
                if (got <= 0) break;
                int32_t ps = (int32_t)Z_sealinkZ_fw_on_packet(&core, handles[i], (uint32_t)got);
                if (ps != HAL_OK && ps != HAL_ENOENT) fprintf(stderr, "sealink-host: fw_on_packet: status %d\n", (int)ps);
            }
        }
        if (poll_stdin && (fds[n].revents & (POLLIN | POLLHUP | POLLERR))) read_stdin(o.stdin_mode);
    }
    if (stop_signal) board_control_line("exit signal");
    board_net_close_all();
    sealink_core_close(&core);
    return exit_code;
}
