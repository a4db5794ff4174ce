/*
 * Storage key names shared by every board. The core names what it stores with
 * short ASCII keys ("sl.id", "sl.q0000002a"); each board maps a key to its own
 * namespace (a file name, an NVS key, a Zephyr settings name), and all of them
 * accept exactly the same set, so a key that works in simulation works on
 * every board:
 *
 *   1..SEALINK_KEY_MAX_CHARS bytes of [A-Za-z0-9._-], not starting with '.'
 *
 * 15 is ESP-IDF NVS's limit (NVS_KEY_NAME_MAX_SIZE 16 with the NUL); a leading
 * '.' is refused so a key is never a hidden or special file name on the host.
 * Freestanding C: no libc.
 */
#ifndef SEALINK_KEY_H
#define SEALINK_KEY_H

#include <stdint.h>

#define SEALINK_KEY_MAX_CHARS 15u
/** Size of the buffer sealink_key_name writes (name and NUL). */
#define SEALINK_KEY_NAME_BYTES (SEALINK_KEY_MAX_CHARS + 1u)

/**
 * Checks a HAL storage key and writes it NUL-terminated to out.
 * Returns HAL_OK, or HAL_EINVAL for a key outside the set above (out is then
 * an empty string).
 */
int32_t sealink_key_name(const uint8_t *key, uint32_t key_len, char out[SEALINK_KEY_NAME_BYTES]);

#endif /* SEALINK_KEY_H */
