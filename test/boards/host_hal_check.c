/*
 * Drives the host board's HAL (boards/host/board_*.c) and the common C
 * (boards/common) without the core: storage, RNG, clock, key names, sockets,
 * did:key, claim conversion, and the console's parsing over a fake runner
 * (the sealink_runner_* calls below record what the console asked for).
 * Run by test/boards/host.test.ts as
 *   host_hal_check STATE_DIR PUBKEY_HEX CLAIM_STRING
 * Prints "ok <check>" or "FAIL <check>: why", then "did <did:key>" and
 * "bundle <hex>" for the test to compare with the TypeScript encoders.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "board_host.h"
#include "sealink_claim.h"
#include "sealink_console.h"
#include "sealink_did.h"
#include "sealink_runner.h"
#include "sealink_hal.h"
#include "sealink_key.h"

static int failures;

static void check(int ok, const char *name, const char *why)
{
    if (ok) printf("ok %s\n", name);
    else { printf("FAIL %s: %s\n", name, why); failures++; }
}

#define K(s) (const uint8_t *)(s), (uint32_t)strlen(s)

static void storage(const char *dir)
{
    uint8_t out[64];
    check(board_storage_init(dir) == 0, "storage init", "cannot open the directory");
    check(hal_storage_get(K("sl.none"), out, sizeof out) == HAL_ENOENT, "get missing -> ENOENT", "wrong status");
    check(hal_storage_put(K("sl.a"), (const uint8_t *)"hello", 5) == HAL_OK, "put", "failed");
    check(hal_storage_get(K("sl.a"), out, sizeof out) == 5 && memcmp(out, "hello", 5) == 0, "get", "wrong value");
    memset(out, 0x55, sizeof out);
    check(hal_storage_get(K("sl.a"), out, 4) == HAL_EINVAL && out[0] == 0x55, "get into a short buffer -> EINVAL, nothing copied", "wrong");
    check(hal_storage_put(K("sl.a"), (const uint8_t *)"bye", 3) == HAL_OK
          && hal_storage_get(K("sl.a"), out, sizeof out) == 3 && memcmp(out, "bye", 3) == 0, "overwrite", "old value");
    check(hal_storage_put(K("sl.empty"), (const uint8_t *)"", 0) == HAL_OK && hal_storage_get(K("sl.empty"), out, 0) == 0,
          "empty value", "wrong");
    check(hal_storage_delete(K("sl.a")) == HAL_OK && hal_storage_get(K("sl.a"), out, sizeof out) == HAL_ENOENT, "delete", "still there");
    check(hal_storage_delete(K("sl.a")) == HAL_OK, "delete missing -> OK", "error");
    check(hal_storage_put(K("../x"), (const uint8_t *)"x", 1) == HAL_EINVAL, "key with '/' refused", "accepted");
    check(hal_storage_put(K(".hidden"), (const uint8_t *)"x", 1) == HAL_EINVAL, "key starting with '.' refused", "accepted");
    check(hal_storage_put(K("sl.0123456789abc"), (const uint8_t *)"x", 1) == HAL_EINVAL, "16-byte key refused", "accepted");
    check(hal_storage_put(K("sl.0123456789ab"), (const uint8_t *)"x", 1) == HAL_OK, "15-byte key accepted", "refused");
    check(hal_storage_get((const uint8_t *)"", 0, out, sizeof out) == HAL_EINVAL, "empty key refused", "accepted");
    int tmp_left = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) tmp_left |= strncmp(e->d_name, ".tmp-", 5) == 0;
    if (d) closedir(d);
    check(!tmp_left, "no temp file left after put", "a .tmp- file remains");
}

static void rng_clock(void)
{
    uint8_t a[64] = { 0 }, b[64] = { 0 }, t1[8], t2[8];
    check(hal_rng_fill(a, sizeof a) == HAL_OK && hal_rng_fill(b, sizeof b) == HAL_OK && memcmp(a, b, sizeof a) != 0,
          "rng fills, two draws differ", "failed");
    check(hal_clock_now_ms(t1, 4) == HAL_EINVAL, "clock wants 8 bytes", "accepted 4");
    hal_clock_now_ms(t1, 8);
    usleep(20000);
    hal_clock_now_ms(t2, 8);
    uint64_t x = 0, y = 0;
    for (int i = 7; i >= 0; i--) { x = x << 8 | t1[i]; y = y << 8 | t2[i]; }
    check(y >= x + 15 && y < x + 2000, "clock advances in ms", "not monotonic ms");
}

static int local_socket(int type, struct sockaddr_in *addr)
{
    socklen_t len = sizeof *addr;
    int fd = socket(AF_INET, type, 0);
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)addr, sizeof *addr);
    getsockname(fd, (struct sockaddr *)addr, &len);
    if (type == SOCK_STREAM) listen(fd, 1);
    return fd;
}

static int32_t recv_wait(int32_t h, uint8_t *buf, uint32_t cap)
{
    for (int i = 0; i < 200; i++) {
        int32_t n = board_net_recv(h, buf, cap);
        if (n != 0) return n;
        usleep(5000);
    }
    return 0;
}

static void net(void)
{
    struct sockaddr_in addr, peer;
    socklen_t plen = sizeof peer;
    uint8_t buf[64];
    int u = local_socket(SOCK_DGRAM, &addr);
    int32_t h = hal_net_open(0, K("127.0.0.1"), ntohs(addr.sin_port));
    check(h >= 0, "udp open", "failed");
    check(hal_net_send(h, (const uint8_t *)"ping", 4) == 4, "udp send", "failed");
    ssize_t n = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
    check(n == 4 && memcmp(buf, "ping", 4) == 0, "udp datagram arrives", "wrong bytes");
    sendto(u, "pong!", 5, 0, (struct sockaddr *)&peer, plen);
    check(recv_wait(h, buf, sizeof buf) == 5 && memcmp(buf, "pong!", 5) == 0, "udp reply read", "wrong bytes");
    check(hal_net_close(h) == HAL_OK && hal_net_close(h) == HAL_ENOENT, "udp close, then ENOENT", "wrong");
    close(u);

    int l = local_socket(SOCK_STREAM, &addr);
    h = hal_net_open(1, K("localhost"), ntohs(addr.sin_port));
    check(h >= 0, "tcp open (by name)", "failed");
    int c = accept(l, NULL, NULL);
    check(hal_net_send(h, (const uint8_t *)"\x00\x04" "abcd", 6) == 6, "tcp send", "failed");
    n = recv(c, buf, 6, MSG_WAITALL);
    check(n == 6 && memcmp(buf, "\x00\x04" "abcd", 6) == 0, "tcp bytes arrive", "wrong bytes");
    send(c, "xyz", 3, 0);
    check(recv_wait(h, buf, 2) == 2 && recv_wait(h, buf + 2, 2) == 1 && memcmp(buf, "xyz", 3) == 0,
          "tcp stream read in pieces", "wrong bytes");
    close(c);
    check(recv_wait(h, buf, sizeof buf) == -1, "tcp peer close -> -1", "not reported");
    check(hal_net_send(h, (const uint8_t *)"x", 1) == HAL_EIO, "send on a closed link -> EIO", "not EIO");
    struct pollfd fds[BOARD_NET_MAX];
    int32_t handles[BOARD_NET_MAX];
    check(board_net_pollfds(fds, handles, BOARD_NET_MAX) == 0, "a dead link is not polled", "still polled");
    check(hal_net_close(h) == HAL_OK, "tcp close", "failed");
    close(l);
    check(hal_net_open(1, K("127.0.0.1"), 1) == HAL_EIO, "tcp connect refused -> EIO", "not EIO");
    check(hal_net_open(2, K("127.0.0.1"), 9) == HAL_EINVAL, "unknown transport -> EINVAL", "accepted");
}

/* The fake runner the console drives: records the last reading, answers a status record. */
static struct { int calls; uint32_t feed; char text[512]; uint64_t next_seq; int32_t answer; } fake;
static char printed[16][128];
static int printed_n;

int32_t sealink_runner_reading(uint32_t feed, const uint8_t *data, uint32_t len)
{
    fake.calls++;
    fake.feed = feed;
    memcpy(fake.text, data, len < sizeof fake.text - 1 ? len : sizeof fake.text - 1);
    fake.text[len < sizeof fake.text - 1 ? len : sizeof fake.text - 1] = 0;
    if (fake.answer == HAL_OK) fake.next_seq++;
    return fake.answer;
}

int32_t sealink_runner_status(uint8_t out[SEALINK_STATUS_BYTES])
{
    memset(out, 0, SEALINK_STATUS_BYTES);
    out[SEALINK_STATUS_STATE] = 3;
    out[SEALINK_STATUS_EPOCH] = 7;
    for (int i = 0; i < 8; i++) out[SEALINK_STATUS_NEXT_SEQ + i] = (uint8_t)(fake.next_seq >> (8 * i));
    return HAL_OK;
}

int32_t sealink_runner_enroll(const uint8_t *bundle, uint32_t len) { (void)bundle; (void)len; return HAL_EINVAL; }
int32_t sealink_runner_public_key(uint8_t out[32]) { memset(out, 0, 32); return HAL_OK; }

static void console_print(const char *line)
{
    if (printed_n < 16) snprintf(printed[printed_n++], sizeof printed[0], "%s", line);
}

/* Feeds one line; returns the first answer ("" for none). */
static const char *console_line(const char *text)
{
    printed_n = 0;
    printed[0][0] = 0;
    for (const char *c = text; *c; c++) sealink_console_feed(*c);
    sealink_console_feed('\n');
    return printed[0];
}

static void console(void)
{
    sealink_console_init(console_print);
    fake.next_seq = 1;
    check(strcmp(console_line("reading 7 21.5 C"), "sealink: reading ok feed 7 seq 1") == 0 && fake.feed == 7
          && strcmp(fake.text, "21.5 C") == 0, "console: reading <feed> <text> seals text on feed", printed[0]);
    check(strcmp(console_line("send hello world"), "sealink: reading ok feed 1 seq 2") == 0 && fake.feed == 1
          && strcmp(fake.text, "hello world") == 0, "console: send <text> = reading 1 <text>", printed[0]);
    check(strcmp(console_line("reading 65535 x"), "sealink: reading ok feed 65535 seq 3") == 0, "console: feed 65535", printed[0]);
    int before = fake.calls;
    const char *bad[] = { "reading 65536 x", "reading 1", "reading 1 ", "reading x 1", "reading -1 x", "reading 000001 x", "reading" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        check(strcmp(console_line(bad[i]), "sealink: reading wants <feed 0..65535> <text>") == 0, bad[i], printed[0]);
    }
    check(fake.calls == before, "console: bad reading lines reach no core call", "a call was made");
    /* Sequence numbers past 2^32 print right (32-bit division only). */
    fake.next_seq = 0x123456789ull;
    console_line("reading 2 y");
    check(strcmp(printed[0], "sealink: reading ok feed 2 seq 4886718345") == 0, "console: 64-bit seq", printed[0]);
    fake.next_seq = 0xffffffffull; /* next_seq becomes 2^32: the low word borrows */
    console_line("reading 2 y");
    check(strcmp(printed[0], "sealink: reading ok feed 2 seq 4294967295") == 0, "console: seq across the 2^32 carry", printed[0]);
    fake.next_seq = 0xffffffffffffffffull;
    console_line("reading 2 y");
    check(strcmp(printed[0], "sealink: reading ok feed 2 seq 18446744073709551615") == 0, "console: largest seq", printed[0]);
    fake.answer = HAL_EINVAL;
    check(strcmp(console_line("reading 3 z"), "sealink: reading refused (not enrolled yet?)") == 0
          && strcmp(printed[1], "sealink: status -1") == 0, "console: a refused reading says so", printed[0]);
    fake.answer = HAL_OK;
    fake.next_seq = 43;
    console_line("status");
    int found = 0;
    for (int i = 0; i < printed_n; i++) found |= strcmp(printed[i], "sealink: readings epoch 7 next seq 43") == 0;
    check(found, "console: status shows the epoch and next seq", printed[printed_n > 0 ? printed_n - 1 : 0]);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: host_hal_check STATE_DIR PUBKEY_HEX CLAIM_STRING\n", stderr);
        return 2;
    }
    storage(argv[1]);
    rng_clock();
    net();
    check(hal_capabilities() == 0 && hal_accel_sha256(NULL, 0, NULL, 0) == HAL_ENOTSUP, "no accelerators on the host", "wrong");
    console();

    uint8_t pub[32];
    char did[SEALINK_DID_BYTES];
    for (int i = 0; i < 32; i++) sscanf(argv[2] + 2 * i, "%2hhx", &pub[i]);
    sealink_did_key(pub, did);
    printf("did %s\n", did);
    uint8_t bundle[SEALINK_BUNDLE_MAX_BYTES];
    int32_t len = sealink_claim_from_text(argv[3], SEALINK_PREFER_TCP, bundle);
    printf("bundle ");
    for (int32_t i = 0; i < len; i++) printf("%02x", bundle[i]);
    printf("\n");
    check(sealink_claim_from_text("sealink1:AQ", SEALINK_PREFER_UDP, bundle) == HAL_EINVAL, "truncated claim refused", "accepted");
    check(sealink_claim_from_text("sealink2:AQAA", SEALINK_PREFER_UDP, bundle) == HAL_EINVAL, "wrong prefix refused", "accepted");
    board_net_close_all();
    return failures != 0;
}
