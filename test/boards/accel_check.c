/*
 * Runs the ESP32 board's mbedTLS accelerators (boards/esp32-devkitc/main/
 * board_accel.c) on the host against Debian's mbedTLS. Reads one operation a
 * line on stdin, hex arguments, and prints "<status> <hex output>":
 *   x25519 SCALAR U | seal KEY NONCE AAD PT | open KEY NONCE AAD CT | sha256 DATA | aes KEY BLOCK
 * ("-" is an empty argument). test/boards/accel-mbedtls.test.ts compares with
 * @noble and node:crypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sealink_hal.h"

static uint32_t unhex(const char *s, uint8_t *out)
{
    if (strcmp(s, "-") == 0) return 0;
    uint32_t n = (uint32_t)strlen(s) / 2;
    for (uint32_t i = 0; i < n; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
    return n;
}

static void print(int32_t st, const uint8_t *b, uint32_t n)
{
    printf("%d ", (int)st);
    for (uint32_t i = 0; i < n; i++) printf("%02x", b[i]);
    printf(n ? "\n" : "-\n");
}

int main(void)
{
    static char line[1 << 16];
    static uint8_t a[8192], b[8192], c[8192], d[8192], out[8192 + 16];
    char op[16], s1[16384], s2[16384], s3[16384], s4[16384];
    printf("caps %d\n", (int)hal_capabilities());
    while (fgets(line, sizeof line, stdin)) {
        int k = sscanf(line, "%15s %16383s %16383s %16383s %16383s", op, s1, s2, s3, s4);
        if (k < 2) continue;
        if (strcmp(op, "x25519") == 0) {
            unhex(s1, a); unhex(s2, b);
            memset(out, 0xaa, 32);
            print(hal_accel_x25519(out, 32, a, 32, b, 32), out, 32);
        } else if (strcmp(op, "seal") == 0) {
            unhex(s1, a); unhex(s2, b);
            uint32_t an = unhex(s3, c), pn = unhex(s4, d);
            print(hal_accel_aead_seal(a, 32, b, 12, c, an, d, pn, out, pn + 16), out, pn + 16);
        } else if (strcmp(op, "open") == 0) {
            unhex(s1, a); unhex(s2, b);
            uint32_t an = unhex(s3, c), cn = unhex(s4, d);
            memset(out, 0xaa, cn - 16);
            print(hal_accel_aead_open(a, 32, b, 12, c, an, d, cn, out, cn - 16), out, cn - 16);
        } else if (strcmp(op, "sha256") == 0) {
            uint32_t n = unhex(s1, a);
            print(hal_accel_sha256(a, n, out, 32), out, 32);
        } else if (strcmp(op, "aes") == 0) {
            unhex(s1, a); unhex(s2, b);
            print(hal_accel_aes256_block(a, 32, b, 16, out, 16), out, 16);
        }
        fflush(stdout);
    }
    return 0;
}
