/*
 * Host RNG: getrandom(2) without flags, which blocks until the kernel's pool
 * is initialised and then never fails for lack of entropy. Any other failure
 * is HAL_EIO: the core must never run a handshake on a short or stale buffer.
 */
#include <errno.h>
#include <sys/random.h>
#include "sealink_hal.h"

int32_t hal_rng_fill(uint8_t *out, uint32_t out_len)
{
    uint32_t done = 0;
    while (done < out_len) {
        ssize_t n = getrandom(out + done, out_len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            for (uint32_t i = 0; i < out_len; i++) out[i] = 0;
            return HAL_EIO;
        }
        done += (uint32_t)n;
    }
    return HAL_OK;
}
