/* Owner claim string -> device claim bundle (sealink_claim.h). VARIABLE TIME over lengths only. */
#include "sealink_claim.h"
#include "sealink_hal.h"

#define RAW_MAX (2u + 253u + 4u + 32u + 8u + 16u + 32u)

static int b64url(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

static void wipe(uint8_t *p, uint32_t n)
{
    volatile uint8_t *v = p;
    for (uint32_t i = 0; i < n; i++) v[i] = 0;
}

int32_t sealink_claim_from_text(const char *text, enum sealink_transport_pref pref,
                                uint8_t out[SEALINK_BUNDLE_MAX_BYTES])
{
    uint8_t raw[RAW_MAX];
    uint32_t n = 0, acc = 0, bits = 0;
    const char *p = text, *prefix = SEALINK_CLAIM_PREFIX;
    int32_t result = HAL_EINVAL;
    while (*p == ' ' || *p == '\t') p++;
    while (*prefix) {
        if (*p++ != *prefix++) return HAL_EINVAL;
    }
    for (; *p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'; p++) {
        int v = b64url(*p);
        if (v < 0 || n == RAW_MAX) goto done;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* Canonical: no leftover group of 1 char, leftover bits zero. */
    if (bits >= 6 || (acc & ((1u << bits) - 1u)) != 0) goto done;
    if (n < 2 || raw[0] != 1) goto done;
    uint32_t host_len = raw[1];
    if (host_len == 0 || host_len > 64 || n != 2u + host_len + 4u + 32u + 8u + 16u + 32u) goto done;
    const uint8_t *host = raw + 2, *ports = host + host_len, *rest = ports + 4;
    uint32_t udp = (uint32_t)ports[0] << 8 | ports[1], tcp = (uint32_t)ports[2] << 8 | ports[3];
    if (udp == 0 && tcp == 0) goto done;
    int use_tcp = udp == 0 || (pref == SEALINK_PREFER_TCP && tcp != 0);
    uint32_t port = use_tcp ? tcp : udp;
    out[0] = 1;
    out[1] = (uint8_t)use_tcp;
    out[2] = (uint8_t)port;
    out[3] = (uint8_t)(port >> 8);
    /* relay key | claim_id | claim_token | owner key: the same order in both forms. */
    for (uint32_t i = 0; i < 32u + 8u + 16u + 32u; i++) out[4 + i] = rest[i];
    out[92] = (uint8_t)host_len;
    for (uint32_t i = 0; i < host_len; i++) out[93 + i] = host[i];
    result = (int32_t)(93u + host_len);
done:
    wipe(raw, sizeof raw);
    acc = 0;
    return result;
}
