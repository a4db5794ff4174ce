/*
 * The owner's claim string ("sealink1:" + base64url, cloud/app/claim-bundle.ts)
 * turned into the binary bundle fw_enroll takes (firmware/protocol/conf.ts),
 * so the one line an owner copies works on every board's console and CLI:
 *
 *   owner:  version 1 | host_len | host | udp_port (BE) | tcp_port (BE) | relay Ed25519 key (32)
 *           | claim_id (8) | claim_token (16) | owner Ed25519 key (32)
 *   device: version 1 | transport (0 UDP, 1 TCP) | port (LE) | relay key (32) | claim_id (8)
 *           | claim_token (16) | owner key (32) | host_len (1..64) | host
 *
 * The keys are copied, not checked: the core refuses a bundle whose relay or
 * owner key is not an Ed25519 point of large order (fw_enroll: HAL_EINVAL).
 *
 * The string offers UDP, TCP or both; the board picks one. SECRET: the claim
 * token; the caller wipes both buffers after fw_enroll. Freestanding C.
 */
#ifndef SEALINK_CLAIM_H
#define SEALINK_CLAIM_H

#include <stdint.h>

#define SEALINK_CLAIM_PREFIX "sealink1:"
/** Largest device bundle: 93 + a 64-byte host. */
#define SEALINK_BUNDLE_MAX_BYTES 157u

/** Transport preference for a string that offers both. */
enum sealink_transport_pref { SEALINK_PREFER_UDP = 0, SEALINK_PREFER_TCP = 1 };

/**
 * Converts the NUL-terminated owner string text (leading spaces allowed, the
 * string ends at the first space or newline) into a device bundle in out.
 * pref chooses when both transports are offered; otherwise the offered one is
 * taken. Returns the bundle's length, or HAL_EINVAL for a string that is not
 * exactly a v1 claim or whose host is longer than the device's 64 bytes.
 */
int32_t sealink_claim_from_text(const char *text, enum sealink_transport_pref pref,
                                uint8_t out[SEALINK_BUNDLE_MAX_BYTES]);

#endif /* SEALINK_CLAIM_H */
