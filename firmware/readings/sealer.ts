// Sealed readings v1 (docs/readings.md), device side: EPOCH_OPEN, READING and
// EPOCH_CLOSE records, byte for byte as the TypeScript reference
// (cloud/readings/sealer.ts) writes them from the same randomness.
//
// The core draws no randomness itself: the caller passes K_E and one HPKE
// ephemeral secret per reader, taken from the HAL RNG, and this file wipes
// them. The device seed is passed to every call that signs; it is never kept.
//
// State (one epoch at a time) lives in STATE: the epoch key, the device's
// Ed25519 public key D, the running chain value, the epoch number, first and
// next sequence numbers, an open flag and a keyed flag (K_E is present). The
// epoch key is wiped at close. Everything but K_E is public and can be saved
// (readingsExport) and restored after a reboot (readingsImport): a restored
// epoch has no key, so it can only be closed, never sealed into (K_E never
// leaves RAM, so no (K_E, seq) pair can be used twice across a power cut).
// One HPKE context (CTX) is reused for every reader's wrap and wiped after
// each.
//
// Ed25519 signs a contiguous message ("label" || D || record-before-sig), so
// the signing calls build the record READINGS_SIGN_SLACK_BYTES past `out`,
// write label || D in front of it, sign, then move the record down to `out`.
// The caller's buffer must therefore hold record length + that slack.
//
// Constant time: secrets (seed, x_D, K_E, ephemeral secrets, payloads) pass
// only through Ed25519, X25519, HPKE and the AEAD. Branches test public facts:
// the open flag, sequence limits, lengths, reader count, and whether HPKE
// refused a reader key of small order (a property of the public key alone).

import { STATUS_OK, STATUS_RANGE, STATUS_INVALID } from "../status";
import { wipe, ctVerify } from "../crypto/ct";
import { sha256 } from "../crypto/sha256";
import { aeadSeal } from "../crypto/aead";
import { x25519Base } from "../crypto/x25519";
import { ed25519PublicKey, ed25519Sign, ed25519ToX25519Secret } from "../crypto/ed25519";
import { HPKE_CTX_BYTES, HPKE_MODE_AUTH, hpkeSetupSender, hpkeSeal } from "../crypto/hpke";

/** Record kinds (the first byte of each record). */
export const READINGS_KIND_EPOCH_OPEN: u8 = 1;
export const READINGS_KIND_READING: u8 = 2;
export const READINGS_KIND_EPOCH_CLOSE: u8 = 3;
/** Bytes of one reader's wrap: R_i(32) | enc(32) | HPKE ciphertext of K_E (32 + 16). */
export const READINGS_WRAP_BYTES: usize = 112;
/** EPOCH_OPEN without the wraps: kind | E | first_seq | prev_chain | n | sig. */
export const READINGS_OPEN_FIXED_BYTES: usize = 1 + 4 + 8 + 32 + 1 + 64;
/** READING without the payload: kind | E | seq | feed | tag. */
export const READINGS_READING_OVERHEAD_BYTES: usize = 1 + 4 + 8 + 2 + 16;
/** Header of a READING; the ciphertext starts here, so a payload may be sealed in place at out + this. */
export const READINGS_READING_HEADER_BYTES: usize = 15;
/** EPOCH_CLOSE: kind | E | last_seq | count | chain | sig. */
export const READINGS_CLOSE_BYTES: usize = 1 + 4 + 8 + 4 + 32 + 64;
/** Extra room past the record that readingsBegin and readingsClose need in `out` (label || D). */
export const READINGS_SIGN_SLACK_BYTES: usize = 21 + 32;
/** Largest reader count (n is one byte; a wrap to nobody makes no sense). */
export const READINGS_MAX_READERS: u32 = 255;

// Labels (docs/readings.md), ASCII, no terminator. "sealink/1 epoch" (the HPKE
// info label) is the first 15 bytes of "sealink/1 epoch-open".
const L_EPOCH_OPEN = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20, // "sealink/1 "
  0x65, 0x70, 0x6f, 0x63, 0x68, 0x2d, 0x6f, 0x70, 0x65, 0x6e]); // "epoch-open"
const L_EPOCH_OPEN_BYTES: usize = 20;
const L_EPOCH_BYTES: usize = 15;
const L_EPOCH_CLOSE = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20,
  0x65, 0x70, 0x6f, 0x63, 0x68, 0x2d, 0x63, 0x6c, 0x6f, 0x73, 0x65]); // "epoch-close"
const L_EPOCH_CLOSE_BYTES: usize = 21;
const L_READING = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20,
  0x72, 0x65, 0x61, 0x64, 0x69, 0x6e, 0x67]); // "reading"
const L_READING_BYTES: usize = 17;
const L_CHAIN = memory.data<u8>([
  0x73, 0x65, 0x61, 0x6c, 0x69, 0x6e, 0x6b, 0x2f, 0x31, 0x20,
  0x63, 0x68, 0x61, 0x69, 0x6e]); // "chain"
const L_CHAIN_BYTES: usize = 15;

// Sealer state. SECRET: the epoch key.
const STATE_BYTES: usize = 128;
const STATE: usize = memory.data(<i32>STATE_BYTES, 8);
const S_KEY: usize = STATE;           // K_E (32), SECRET
const S_DEV: usize = STATE + 32;      // D (32)
const S_CHAIN: usize = STATE + 64;    // chain_k (32)
const S_EPOCH: usize = 96;            // E (u32), offset for load/store
const S_OPEN: usize = 100;            // 1 while an epoch is open (u32)
const S_FIRST: usize = 104;           // first_seq (u64)
const S_NEXT: usize = 112;            // next seq (u64)
const S_KEYED: usize = 120;           // 1 while K_E holds the open epoch's key (u32)

/**
 * The public sealer state readingsExport writes and readingsImport reads
 * (little-endian): E(4) | open(4) | first_seq(8) | next_seq(8) | chain(32).
 * After a close, chain is the final chain (the next epoch's prev_chain).
 */
export const READINGS_IMAGE_BYTES: usize = 56;

// Scratch: HPKE info / AAD / chain input at 0.., the device's X25519 secret
// (SECRET) and public key at 64..127 while wrapping.
const WORK_BYTES: usize = 128;
const WORK: usize = memory.data(<i32>WORK_BYTES, 8);
const X_SECRET: usize = WORK + 64;
const X_PUBLIC: usize = WORK + 96;
// One HPKE sender context, reused for every wrap.
const CTX: usize = memory.data(<i32>HPKE_CTX_BYTES, 8);
// nonce = seq(8) || 00000000.
const NONCE: usize = memory.data(16, 8);

/** Static bytes this file reserves (state, scratch, HPKE context, nonce, labels). */
export const READINGS_STATIC_BYTES: usize = STATE_BYTES + WORK_BYTES + HPKE_CTX_BYTES + 16
  + L_EPOCH_OPEN_BYTES + L_EPOCH_CLOSE_BYTES + L_READING_BYTES + L_CHAIN_BYTES;

/** Length of an EPOCH_OPEN for `n` readers. */
// @ts-ignore: decorator
@inline export function readingsOpenBytes(n: u32): usize {
  return READINGS_OPEN_FIXED_BYTES + <usize>n * READINGS_WRAP_BYTES;
}

/**
 * S_CHAIN = chain_0 = SHA-256("sealink/1 chain" || D || E(4) || prev_chain)
 * (docs/readings.md). prevChain may be S_CHAIN itself (it is copied first).
 * Every input is public; WORK is wiped anyway, as after every use.
 */
function chainStart(epoch: u32, prevChain: usize): void {
  memory.copy(WORK, L_CHAIN, L_CHAIN_BYTES);
  memory.copy(WORK + L_CHAIN_BYTES, S_DEV, 32);
  store<u32>(WORK + L_CHAIN_BYTES + 32, epoch);
  memory.copy(WORK + L_CHAIN_BYTES + 36, prevChain, 32);
  sha256(S_CHAIN, WORK, L_CHAIN_BYTES + 36 + 32);
  wipe(WORK, WORK_BYTES);
}

/** S_CHAIN = chain_k = SHA-256(chain_{k-1} || SHA-256(READING_k)), READING_k the len-byte record at rec. */
function chainNext(rec: usize, len: usize): void {
  memory.copy(WORK, S_CHAIN, 32);
  sha256(WORK + 32, rec, len);
  sha256(S_CHAIN, WORK, 64);
  wipe(WORK, 64);
}

/** Wipes the sealer state (the epoch key included) and all scratch. */
export function readingsWipe(): void {
  wipe(STATE, STATE_BYTES);
  wipe(WORK, WORK_BYTES);
  wipe(CTX, HPKE_CTX_BYTES);
  wipe(NONCE, 16);
}

/**
 * Signs "label" || D || body with `seed`, where body (bodyLen bytes) was built
 * at out + slack, then moves body || sig down to `out` and clears the slack
 * left behind. Returns the record length.
 */
function signAndPlace(out: usize, slack: usize, label: usize, labelLen: usize, bodyLen: usize, seed: usize): i32 {
  // label || D ends exactly where the body starts (slack = labelLen + 32).
  memory.copy(out, label, labelLen);
  memory.copy(out + labelLen, S_DEV, 32);
  ed25519Sign(out + slack + bodyLen, seed, out, slack + bodyLen);
  memory.copy(out, out + slack, bodyLen + 64);
  wipe(out + bodyLen + 64, slack);
  return <i32>(bodyLen + 64);
}

/**
 * Opens epoch `epoch` (>= 1) at `firstSeq` (>= 1) and writes its EPOCH_OPEN
 * record to `out`, which must hold readingsOpenBytes(n) +
 * READINGS_SIGN_SLACK_BYTES bytes.
 *   seed       the device's 32-byte Ed25519 seed (read, not kept)
 *   readers    n X25519 public keys R_i (32 bytes each; reader 0 is the owner)
 *   prevChain  the final chain of epoch - 1 (32 zero bytes for epoch 1)
 *   rnd        32 + 32 n bytes from the HAL RNG: K_E, then one HPKE ephemeral
 *              secret per reader. WIPED, whatever the outcome.
 * Returns the record length, or STATUS_INVALID (an epoch is already open, a
 * zero epoch or sequence number, n = 0 or > 255, a reader key of small order:
 * then the state, the record and rnd are wiped) or STATUS_RANGE.
 */
export function readingsBegin(
  out: usize, seed: usize, readers: usize, n: u32, epoch: u32, firstSeq: u64, prevChain: usize, rnd: usize,
): i32 {
  // Never wipe past a valid reader count: n itself may be the mistake.
  // (Arithmetic, not ?: or ||: binaryen would emit select, which the build
  // refuses in the protocol that inlines this; the values are public.)
  const rndLen: usize = 32 + <usize>n * 32 * <usize>(n <= READINGS_MAX_READERS);
  if ((<u32>(load<u32>(STATE, S_OPEN) != 0) | <u32>(n == 0) | <u32>(n > READINGS_MAX_READERS)
    | <u32>(epoch == 0) | <u32>(firstSeq == 0)) != 0) {
    wipe(rnd, rndLen);
    return STATUS_INVALID;
  }
  const slack = L_EPOCH_OPEN_BYTES + 32;
  const rec = out + slack;
  const bodyLen = readingsOpenBytes(n) - 64;

  ed25519PublicKey(S_DEV, seed);
  memory.copy(S_KEY, rnd, 32);
  wipe(rnd, 32);

  store<u8>(rec, READINGS_KIND_EPOCH_OPEN);
  store<u32>(rec, epoch, 1);
  store<u64>(rec, firstSeq, 5);
  memory.copy(rec + 13, prevChain, 32);
  store<u8>(rec, <u8>n, 45);

  // info = "sealink/1 epoch" || D || E(4); the device's X25519 key pair once for all wraps.
  memory.copy(WORK, L_EPOCH_OPEN, L_EPOCH_BYTES);
  memory.copy(WORK + L_EPOCH_BYTES, S_DEV, 32);
  store<u32>(WORK + L_EPOCH_BYTES + 32, epoch);
  const infoLen: usize = L_EPOCH_BYTES + 32 + 4;
  ed25519ToX25519Secret(X_SECRET, seed);
  x25519Base(X_PUBLIC, X_SECRET);

  let status: i32 = STATUS_OK;
  for (let i: u32 = 0; i < n; i++) {
    const w = rec + 46 + <usize>i * READINGS_WRAP_BYTES;
    memory.copy(w, readers + <usize>i * 32, 32);
    // hpkeSetupSender wipes the ephemeral secret; a refused (small-order) R_i
    // zeroes CTX, and hpkeSeal then refuses too.
    status |= hpkeSetupSender(CTX, HPKE_MODE_AUTH, w, X_SECRET, X_PUBLIC, WORK, infoLen,
      rnd + 32 + <usize>i * 32, w + 32);
    status |= hpkeSeal(CTX, 0, 0, S_KEY, 32, w + 64);
    wipe(CTX, HPKE_CTX_BYTES);
  }
  wipe(X_SECRET, 64);
  if (status != STATUS_OK) {
    readingsWipe();
    wipe(out, slack + bodyLen);
    return STATUS_INVALID;
  }

  const len = signAndPlace(out, slack, L_EPOCH_OPEN, L_EPOCH_OPEN_BYTES, bodyLen, seed);

  chainStart(epoch, prevChain);

  store<u32>(STATE, epoch, S_EPOCH);
  store<u64>(STATE, firstSeq, S_FIRST);
  store<u64>(STATE, firstSeq, S_NEXT);
  store<u32>(STATE, 1, S_OPEN);
  store<u32>(STATE, 1, S_KEYED);
  return len;
}

/**
 * Seals `payloadLen` bytes at `payload` as the next READING of feed `feed`
 * into `out` (payloadLen + READINGS_READING_OVERHEAD_BYTES bytes; `payload`
 * may sit at out + READINGS_READING_HEADER_BYTES to seal in place) and
 * extends the chain. Returns the record length, STATUS_INVALID when no epoch
 * is open or the open epoch has no key (restored by readingsImport, or
 * dropped by readingsForgetKey), STATUS_RANGE when the sequence number is
 * exhausted or the record would not fit an i32 length.
 */
export function readingsSeal(out: usize, feed: u32, payload: usize, payloadLen: usize): i32 {
  if ((load<u32>(STATE, S_OPEN) & load<u32>(STATE, S_KEYED)) == 0) return STATUS_INVALID;
  const seq = load<u64>(STATE, S_NEXT);
  if ((<u32>(seq == u64.MAX_VALUE) | <u32>(payloadLen > <usize>0x7fff0000) | <u32>(feed > 0xffff)) != 0) return STATUS_RANGE;
  store<u8>(out, READINGS_KIND_READING);
  store<u32>(out, load<u32>(STATE, S_EPOCH), 1);
  store<u64>(out, seq, 5);
  store<u16>(out, <u16>feed, 13);
  // aad = "sealink/1 reading" || D || E(4) || seq(8) || feed(2): the last 14
  // bytes are the record header after its kind byte.
  memory.copy(WORK, L_READING, L_READING_BYTES);
  memory.copy(WORK + L_READING_BYTES, S_DEV, 32);
  memory.copy(WORK + L_READING_BYTES + 32, out + 1, 14);
  store<u64>(NONCE, seq);
  store<u32>(NONCE, 0, 8);
  aeadSeal(out + READINGS_READING_HEADER_BYTES, S_KEY, NONCE, WORK, L_READING_BYTES + 46, payload, payloadLen);
  const len = payloadLen + READINGS_READING_OVERHEAD_BYTES;
  chainNext(out, len);
  store<u64>(STATE, seq + 1, S_NEXT);
  return <i32>len;
}

/**
 * Closes the open epoch: writes EPOCH_CLOSE (READINGS_CLOSE_BYTES, plus
 * READINGS_SIGN_SLACK_BYTES of room) to `out`, signed with `seed`, and wipes
 * the epoch key. The final chain stays readable (readingsChain) for the next
 * epoch's prev_chain. Returns the record length, or STATUS_INVALID when no
 * epoch is open, STATUS_RANGE when the count does not fit 32 bits.
 */
export function readingsClose(out: usize, seed: usize): i32 {
  if (load<u32>(STATE, S_OPEN) == 0) return STATUS_INVALID;
  const first = load<u64>(STATE, S_FIRST);
  const next = load<u64>(STATE, S_NEXT);
  if (next - first > <u64>u32.MAX_VALUE) return STATUS_RANGE;
  const slack = L_EPOCH_CLOSE_BYTES + 32;
  const rec = out + slack;
  store<u8>(rec, READINGS_KIND_EPOCH_CLOSE);
  store<u32>(rec, load<u32>(STATE, S_EPOCH), 1);
  store<u64>(rec, next - 1, 5);
  store<u32>(rec, <u32>(next - first), 13);
  memory.copy(rec + 17, S_CHAIN, 32);
  const len = signAndPlace(out, slack, L_EPOCH_CLOSE, L_EPOCH_CLOSE_BYTES, READINGS_CLOSE_BYTES - 64, seed);
  wipe(S_KEY, 32);
  store<u32>(STATE, 0, S_OPEN);
  store<u32>(STATE, 0, S_KEYED);
  return len;
}

/** Copies the current chain value (the final one after readingsClose) to `out` (32 bytes). */
export function readingsChain(out: usize): void {
  memory.copy(out, S_CHAIN, 32);
}

/** The next sequence number (last_seq + 1 after readingsClose); 0 before any epoch. */
export function readingsNextSeq(): u64 {
  return load<u64>(STATE, S_NEXT);
}

/** 1 while an epoch is open, else 0. */
export function readingsIsOpen(): u32 {
  return load<u32>(STATE, S_OPEN);
}

/** 1 while the open epoch's key is present (readingsSeal works), else 0. */
export function readingsIsKeyed(): u32 {
  return load<u32>(STATE, S_KEYED);
}

/** The open epoch's number, or the last closed one (0 before any). */
export function readingsEpoch(): u32 {
  return load<u32>(STATE, S_EPOCH);
}

/** first_seq of the open (or last) epoch. */
export function readingsFirstSeq(): u64 {
  return load<u64>(STATE, S_FIRST);
}

/**
 * Wipes the epoch key but keeps the epoch open: it can then only be closed.
 * For a key that may have sealed a record that never left the device (a
 * failed store), so that no (K_E, seq) pair is ever used for two records.
 */
export function readingsForgetKey(): void {
  wipe(S_KEY, 32);
  store<u32>(STATE, 0, S_KEYED);
}

/** Writes the public state (READINGS_IMAGE_BYTES, layout above) to `out`. */
export function readingsExport(out: usize): void {
  store<u32>(out, load<u32>(STATE, S_EPOCH));
  store<u32>(out, load<u32>(STATE, S_OPEN), 4);
  store<u64>(out, load<u64>(STATE, S_FIRST), 8);
  store<u64>(out, load<u64>(STATE, S_NEXT), 16);
  memory.copy(out + 24, S_CHAIN, 32);
}

/**
 * Replaces the state with the image at `image` (readingsExport) for the
 * device key `dev` (32 bytes, D), without an epoch key: an open epoch can
 * then be closed (readingsClose) but not sealed into. Scratch is wiped.
 */
export function readingsImport(dev: usize, image: usize): void {
  readingsWipe();
  memory.copy(S_DEV, dev, 32);
  store<u32>(STATE, load<u32>(image), S_EPOCH);
  store<u32>(STATE, load<u32>(image, 4) & 1, S_OPEN);
  store<u64>(STATE, load<u64>(image, 8), S_FIRST);
  store<u64>(STATE, load<u64>(image, 16), S_NEXT);
  memory.copy(S_CHAIN, image + 24, 32);
}

/**
 * Applies the effect of a record this sealer wrote (read back from the
 * device's own queue after a power cut that came before the state was
 * saved) when it is exactly the record that follows the current state: a
 * READING of the open epoch with the next seq (extends the chain), its
 * EPOCH_CLOSE (closes it), or the next epoch's EPOCH_OPEN linking to the
 * final chain (opens it, without a key). Returns 1 when applied, 0 when the
 * record is something else (the state is then unchanged).
 * VARIABLE TIME: records and state are public.
 */
export function readingsReplay(rec: usize, len: usize): u32 {
  if (len < 13) return 0;
  const kind = load<u8>(rec);
  const epoch = load<u32>(rec, 1);
  const seq = load<u64>(rec, 5);
  const open = load<u32>(STATE, S_OPEN);
  const next = load<u64>(STATE, S_NEXT);
  if (open != 0 && kind == READINGS_KIND_READING) {
    if ((<u32>(len < READINGS_READING_OVERHEAD_BYTES) | <u32>(epoch != load<u32>(STATE, S_EPOCH)) | <u32>(seq != next)) != 0) return 0;
    chainNext(rec, len);
    store<u64>(STATE, next + 1, S_NEXT);
    return 1;
  }
  if (open != 0 && kind == READINGS_KIND_EPOCH_CLOSE) {
    if ((<u32>(len != READINGS_CLOSE_BYTES) | <u32>(epoch != load<u32>(STATE, S_EPOCH)) | <u32>(seq != next - 1)
      | <u32>(<u64>load<u32>(rec, 13) != next - load<u64>(STATE, S_FIRST)) | <u32>(ctVerify(rec + 17, S_CHAIN, 32) != 0)) != 0) return 0;
    wipe(S_KEY, 32);
    store<u32>(STATE, 0, S_OPEN);
    store<u32>(STATE, 0, S_KEYED);
    return 1;
  }
  if (open == 0 && kind == READINGS_KIND_EPOCH_OPEN) {
    if ((<u32>(len < READINGS_OPEN_FIXED_BYTES) | <u32>(epoch != load<u32>(STATE, S_EPOCH) + 1) | <u32>(seq != next)
      | <u32>(ctVerify(rec + 13, S_CHAIN, 32) != 0)) != 0) return 0;
    if (len != readingsOpenBytes(<u32>load<u8>(rec, 45))) return 0;
    chainStart(epoch, S_CHAIN);
    store<u32>(STATE, epoch, S_EPOCH);
    store<u64>(STATE, seq, S_FIRST);
    store<u32>(STATE, 1, S_OPEN);
    return 1;
  }
  return 0;
}
