// The device identity (DESIGN "Trust model"): an Ed25519 seed drawn from the
// board's true random generator on first boot and kept in storage; nothing is
// programmed at the factory. Its did:key X25519 form is the Noise static key
// (docs/protocol.md §1). Only the public halves stay in RAM; the seed is read
// back for the few moments a handshake needs the secret, then wiped.

import { wipe } from "../crypto/ct";
import { ed25519PublicKey, ed25519ToX25519Secret } from "../crypto/ed25519";
import { x25519Base } from "../crypto/x25519";
import { HAL_OK, HAL_ENOENT, hal_rng_fill } from "../hal.generated";
import { IDENTITY, SCRATCH } from "./mem";
import { SCRATCH_KDF } from "./noise";
import { KEY_ID, KEY_ID_BYTES, storageGetExact, storagePut } from "./store";

export const SEED_BYTES: u32 = 32;
/** Ed25519 public key (fw_public_key). */
export const ID_ED25519: usize = IDENTITY;
/** X25519 public key: the Noise static "s". */
export const ID_X25519: usize = IDENTITY + 32;

/**
 * Loads the identity, creating and storing it on first boot. Returns HAL_OK or
 * a negative HAL status (e.g. HAL_EIO when the RNG has no entropy: a device
 * must never invent an identity from anything else).
 */
export function identityLoad(): i32 {
  const seed = SCRATCH + SCRATCH_KDF;
  let st = storageGetExact(KEY_ID, KEY_ID_BYTES, seed, SEED_BYTES);
  if (st == HAL_ENOENT) {
    st = hal_rng_fill(seed, SEED_BYTES);
    if (st == HAL_OK) st = storagePut(KEY_ID, KEY_ID_BYTES, seed, SEED_BYTES);
  }
  if (st == HAL_OK) {
    ed25519PublicKey(ID_ED25519, seed);
    // The X25519 public key from the did:key secret scalar (x25519Base, constant
    // time), not by decoding the Ed25519 public key: that decode is variable
    // time, and its input here is derived from the seed (docs/constant-time.md).
    // Same result: both are [clamp(SHA-512(seed)[0..32])]B in Montgomery form.
    ed25519ToX25519Secret(ID_X25519, seed);
    x25519Base(ID_X25519, ID_X25519);
  }
  wipe(seed, SEED_BYTES);
  return st & (st >> 31); // the negative status, or HAL_OK for a length
}

/** Writes the X25519 static secret (did:key derivation) to out; HAL status. */
export function identityStaticSecret(out: usize): i32 {
  const seed = SCRATCH + SCRATCH_KDF;
  const st = storageGetExact(KEY_ID, KEY_ID_BYTES, seed, SEED_BYTES);
  if (st == HAL_OK) ed25519ToX25519Secret(out, seed);
  wipe(seed, SEED_BYTES);
  return st;
}

/** Reads the Ed25519 seed (SECRET, 32 bytes) to out, for signing; the caller wipes it. HAL status. */
export function identitySeed(out: usize): i32 {
  return storageGetExact(KEY_ID, KEY_ID_BYTES, out, SEED_BYTES);
}
