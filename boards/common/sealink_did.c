/* did:key encoding (sealink_did.h). VARIABLE TIME: inputs are public. */
#include "sealink_did.h"

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

uint32_t sealink_did_key(const uint8_t pub[32], char out[SEALINK_DID_BYTES])
{
    uint8_t num[34];
    uint8_t digits[48];
    uint32_t nd = 0, n = 0;
    num[0] = 0xed;
    num[1] = 0x01;
    for (int i = 0; i < 32; i++) num[2 + i] = pub[i];
    /* Repeated division of the big-endian number by 58; 0xed means no leading zeros. */
    for (;;) {
        uint32_t rem = 0, nonzero = 0;
        for (int i = 0; i < 34; i++) {
            uint32_t acc = rem * 256u + num[i];
            num[i] = (uint8_t)(acc / 58u);
            rem = acc % 58u;
            nonzero |= num[i];
        }
        digits[nd++] = (uint8_t)rem;
        if (!nonzero || nd == sizeof digits) break;
    }
    const char *prefix = "did:key:z";
    while (*prefix) out[n++] = *prefix++;
    while (nd > 0) out[n++] = B58[digits[--nd]];
    out[n] = '\0';
    return n;
}
