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

static void print_parts(const char *a, const char *b, const char *c)
{
    char out[128];
    uint32_t n = 0;
    const char *parts[3] = { a, b, c };
    for (int p = 0; p < 3; p++) {
        for (const char *s = parts[p]; s && *s && n < sizeof out - 1; s++) out[n++] = *s;
    }
    out[n] = '\0';
    if (print_line) print_line(out);
}

static void format_int(char *out, int32_t v)
{
    char tmp[12];
    uint32_t n = 0, u = v < 0 ? (uint32_t)(-(int64_t)v) : (uint32_t)v;
    do tmp[n++] = (char)('0' + u % 10u); while ((u /= 10u) != 0);
    uint32_t k = 0;
    if (v < 0) out[k++] = '-';
    while (n > 0) out[k++] = tmp[--n];
    out[k] = '\0';
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
    char queued[12], acked[12], err[12];
    if (sealink_runner_status(rec) != HAL_OK) {
        print_parts("sealink: status unavailable", "", "");
        return;
    }
    format_int(queued, (int32_t)(rec[8] | rec[9] << 8 | rec[10] << 16 | (uint32_t)rec[11] << 24));
    format_int(acked, (int32_t)(rec[64] | rec[65] << 8 | rec[66] << 16 | (uint32_t)rec[67] << 24));
    format_int(err, (int32_t)(rec[4] | rec[5] << 8 | rec[6] << 16 | (uint32_t)rec[7] << 24));
    print_parts("sealink: state ", rec[0] < 4 ? STATES[rec[0]] : "?", "");
    print_parts("sealink: queued ", queued, "");
    print_parts("sealink: acked ", acked, "");
    print_parts("sealink: last error ", err, "");
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
    else if (starts_with(line, "send") && line_len > 5) report("send", sealink_runner_send((const uint8_t *)line + 5, line_len - 5));
    else if (starts_with(line, "status")) cmd_status();
    else if (starts_with(line, "did")) sealink_console_banner();
    else print_parts("sealink: commands: enroll <hex> | send <text> | status | did", "", "");
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
