/*
 * did:key of the device's Ed25519 public key (W3C did:key: multicodec 0xed01,
 * base58btc, "z" prefix), so a board can print the DID an owner registers
 * (DESIGN "registering the device's DID (printed on serial / as a QR string)").
 * Freestanding C; the key is public, so nothing here needs constant time.
 */
#ifndef SEALINK_DID_H
#define SEALINK_DID_H

#include <stdint.h>

/** Room for "did:key:z" + 48 base58 digits + NUL. */
#define SEALINK_DID_BYTES 64u

/** Writes the NUL-terminated did:key of pub into out; returns its length. */
uint32_t sealink_did_key(const uint8_t pub[32], char out[SEALINK_DID_BYTES]);

#endif /* SEALINK_DID_H */
