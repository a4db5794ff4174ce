/* Serial console of the WAMR boards (sealink_console.h). No libc. */
#include "sealink_console.h"
#include "sealink_claim.h"
#include "sealink_did.h"
#include "sealink_hal.h"
#include "sealink_runner.h"

#define LINE_BYTES 400u   /* "enroll " + a 61+64-byte bundle in hex, with room */
#define BUNDLE_MAX 192u

static sealink_print_fn print_line;
static char line[LINE_BYTES];
static uint32_t line_len;
static int overflow;

static const char *const STATES[] = { "unenrolled", "enrolling", "connecting", "established" };

static void print_list(const char *const *parts, uint32_t count)
{
    char out[128];
    uint32_t n = 0;
    for (uint32_t p = 0; p < count; p++) {
        for (const char *s = parts[p]; s && *s && n < sizeof out - 1; s++) out[n++] = *s;
    }
    out[n] = '\0';
    if (print_line) print_line(out);
}

static void print_parts(const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    print_list(parts, 3);
}

/* Decimal of a u64 with 32-bit divisions only (no libgcc 64-bit division helper). */
static void format_u64(char *out, uint32_t hi, uint32_t lo)
{
    char tmp[21];
    uint32_t n = 0;
    do {
        /* (hi:lo) / 10 in 16-bit steps; every partial dividend stays below 10 << 16. */
        uint32_t r = hi % 10u;
        hi /= 10u;
        uint32_t x = r << 16 | lo >> 16;
        uint32_t q1 = x / 10u;
        x = (x % 10u) << 16 | (lo & 0xffffu);
        lo = q1 << 16 | x / 10u;
        tmp[n++] = (char)('0' + x % 10u);
    } while (hi != 0 || lo != 0);
    uint32_t k = 0;
    while (n > 0) out[k++] = tmp[--n];
    out[k] = '\0';
}

static void format_int(char *out, int32_t v)
{
    if (v < 0) {
        out[0] = '-';
        format_u64(out + 1, 0, (uint32_t)(-(int64_t)v));
    } else {
        format_u64(out, 0, (uint32_t)v);
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int starts_with(const char *s, const char *word)
{
    while (*word) {
        if (*s++ != *word++) return 0;
    }
    return *s == ' ' || *s == '\0';
}

static int starts_with_prefix(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) return 0;
    }
    return 1;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void report(const char *what, int32_t st)
{
    char num[12];
    format_int(num, st);
    print_parts("sealink: ", what, st == HAL_OK ? " ok" : "");
    if (st != HAL_OK) print_parts("sealink: status ", num, "");
}

static void cmd_enroll(const char *hex)
{
    uint8_t bundle[BUNDLE_MAX];
    uint32_t n = 0;
    if (starts_with_prefix(hex, SEALINK_CLAIM_PREFIX)) {
        /* The owner's string; " tcp" after it picks TCP when both are offered. */
        const char *end = hex;
        while (*end && *end != ' ') end++;
        int32_t len = sealink_claim_from_text(hex, starts_with(end + (*end ? 1 : 0), "tcp") ? SEALINK_PREFER_TCP
                                                                                           : SEALINK_PREFER_UDP, bundle);
        if (len < 0) print_parts("sealink: not a valid sealink1: claim", "", "");
        else report("enroll", sealink_runner_enroll(bundle, (uint32_t)len));
        volatile uint8_t *w = bundle;
        for (uint32_t i = 0; i < sizeof bundle; i++) w[i] = 0;
        return;
    }
    while (hex[0] && hex[1] && n < BUNDLE_MAX) {
        int hi = hex_val(hex[0]), lo = hex_val(hex[1]);
        if (hi < 0 || lo < 0) break;
        bundle[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    if (*hex != '\0' || n == 0) {
        print_parts("sealink: enroll wants the claim bundle as hex", "", "");
        return;
    }
    report("enroll", sealink_runner_enroll(bundle, n));
    volatile uint8_t *v = bundle; /* the bundle holds the secret claim token */
    for (uint32_t i = 0; i < sizeof bundle; i++) v[i] = 0;
}

static void cmd_status(void)
{
    uint8_t rec[SEALINK_STATUS_BYTES];
    char queued[12], acked[12], err[12], epoch[12], seq[21];
    if (sealink_runner_status(rec) != HAL_OK) {
        print_parts("sealink: status unavailable", "", "");
        return;
    }
    format_int(queued, (int32_t)le32(rec + SEALINK_STATUS_QUEUED));
    format_int(acked, (int32_t)le32(rec + SEALINK_STATUS_ACKED));
    format_int(err, (int32_t)le32(rec + SEALINK_STATUS_ERROR));
    format_u64(epoch, 0, le32(rec + SEALINK_STATUS_EPOCH));
    format_u64(seq, le32(rec + SEALINK_STATUS_NEXT_SEQ + 4), le32(rec + SEALINK_STATUS_NEXT_SEQ));
    print_parts("sealink: state ", rec[SEALINK_STATUS_STATE] < 4 ? STATES[rec[SEALINK_STATUS_STATE]] : "?", "");
    print_parts("sealink: queued ", queued, "");
    print_parts("sealink: acked ", acked, "");
    print_parts("sealink: last error ", err, "");
    const char *parts[4] = { "sealink: readings epoch ", epoch, " next seq ", seq };
    print_list(parts, 4);
}

/*
 * Seals text..end (at least one byte) on the device as the next reading of
 * feed, to the owner of the claim, and prints the sequence number it got
 * (sequence numbers run on across feeds, epochs and reboots). The length comes
 * from the line, not a scan: gcc turns a scan into strlen, and this file
 * links no libc.
 */
static void seal_reading(uint32_t feed, const char *text, const char *end)
{
    uint32_t len = (uint32_t)(end - text);
    int32_t st = sealink_runner_reading(feed, (const uint8_t *)text, len);
    if (st != HAL_OK) {
        report(st == HAL_EINVAL ? "reading refused (not enrolled yet?)" : "reading failed", st);
        return;
    }
    uint8_t rec[SEALINK_STATUS_BYTES];
    if (sealink_runner_status(rec) != HAL_OK) {
        print_parts("sealink: reading ok", "", "");
        return;
    }
    /* The reading took next_seq - 1: the record just queued is the newest. */
    uint32_t lo = le32(rec + SEALINK_STATUS_NEXT_SEQ), hi = le32(rec + SEALINK_STATUS_NEXT_SEQ + 4);
    hi -= lo == 0 ? 1u : 0u;
    lo -= 1u;
    char f[12], sq[21];
    format_u64(f, 0, feed);
    format_u64(sq, hi, lo);
    const char *parts[4] = { "sealink: reading ok feed ", f, " seq ", sq };
    print_list(parts, 4);
}

/* `reading <feed> <text>`: feed in decimal, 0..65535; text is the rest of the line (up to end). */
static void cmd_reading(const char *args, const char *end)
{
    uint32_t feed = 0, digits = 0;
    while (*args >= '0' && *args <= '9' && digits < 6) {
        feed = feed * 10u + (uint32_t)(*args++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 5 || feed > 0xffffu || *args != ' ' || args[1] == '\0') {
        print_parts("sealink: reading wants <feed 0..65535> <text>", "", "");
        return;
    }
    seal_reading(feed, args + 1, end);
}

void sealink_console_banner(void)
{
    uint8_t pub[32];
    char did[SEALINK_DID_BYTES];
    if (sealink_runner_public_key(pub) == HAL_OK) {
        sealink_did_key(pub, did);
        print_parts("sealink: did ", did, "");
    }
    cmd_status();
}

static void run_line(void)
{
    line[line_len] = '\0';
    if (line_len == 0) return;
    if (starts_with(line, "enroll")) cmd_enroll(line + (line_len > 6 ? 7 : 6));
    else if (starts_with(line, "reading")) cmd_reading(line + (line_len > 7 ? 8 : 7), line + line_len);
    /* `send <text>` = `reading 1 <text>`: nothing typed here leaves the board
     * unsealed (the relay app drops DATA that is not a sealed record). */
    else if (starts_with(line, "send") && line_len > 5) seal_reading(1, line + 5, line + line_len);
    else if (starts_with(line, "status")) cmd_status();
    else if (starts_with(line, "did")) sealink_console_banner();
    else print_parts("sealink: commands: enroll sealink1:... [tcp] | enroll <hex> | reading <feed> <text>",
                     " | send <text> | status | did", "");
}

void sealink_console_init(sealink_print_fn print)
{
    print_line = print;
    line_len = 0;
    overflow = 0;
}

void sealink_console_feed(char c)
{
    if (c == '\n' || c == '\r') {
        if (overflow) print_parts("sealink: line too long", "", "");
        else run_line();
        volatile char *v = line;
        for (uint32_t i = 0; i < line_len; i++) v[i] = 0;
        line_len = 0;
        overflow = 0;
        return;
    }
    if (line_len < LINE_BYTES - 1) line[line_len++] = c;
    else overflow = 1;
}
