// Transport sessions (docs/protocol.md §6, §7): keys from Noise Split(), an
// explicit 64-bit counter as the AEAD nonce, the replay window, and the
// rotation limits. Two slots: 0 is the current session (sends and receives),
// 1 the previous one, kept for receiving only until REJECT_AFTER_TIME so no
// record in flight is lost across a rekey; whatever it carried unacknowledged
// is re-sent on the new session (queue.ts).

import { aeadSeal, aeadOpen } from "../crypto/aead";
import { wipe, copy } from "../crypto/ct";
import { STATUS_OK } from "../status";
import { SESSIONS, SESSION_BYTES, SCRATCH } from "./mem";
import { noiseNonce, noiseSplit, SCRATCH_NONCE } from "./noise";
import { replayCheck, replayUpdate, replayTop } from "./replay";
import { MSG_TRANSPORT, TRANSPORT_HEADER_BYTES, TRANSPORT_MIN_BYTES, TRANSPORT_COUNTER_OFF, ACKS_PER_RECORD_MAX, putHeader } from "./wire";

// Key rotation (§7), WireGuard's names. Times in milliseconds.
export const REKEY_AFTER_TIME_MS: u64 = 120_000;
export const REKEY_JITTER_MS: u32 = 30_000;
export const REKEY_AFTER_MESSAGES: u64 = 1 << 20;
export const REJECT_AFTER_TIME_MS: u64 = 300_000;
export const REJECT_AFTER_MESSAGES: u64 = 1 << 21;
export const REKEY_TIMEOUT_MS: u64 = 5_000;
export const REKEY_TIMEOUT_JITTER_MS: u32 = 1_000;
export const KEEPALIVE_TIMEOUT_MS: u64 = 25_000;

// Slot layout.
export const S_SEND_KEY: usize = 0;      // 32, secret
export const S_RECV_KEY: usize = 32;     // 32, secret
export const S_REPLAY: usize = 64;       // 24, replay.ts
export const S_SEND_COUNTER: usize = 88; // u64: next counter to send
export const S_CREATED_MS: usize = 96;   // u64
export const S_LOCAL_INDEX: usize = 104; // u32: our index, the peer's "receiver"
export const S_REMOTE_INDEX: usize = 108; // u32: the peer's index, our "receiver"
export const S_VALID: usize = 112;       // u32
export const S_GEN: usize = 116;         // u32: unique per session; tags the DATA it carries (queue.ts)
export const S_ACK_COUNT: usize = 120;   // u32: counters in S_ACKS
export const S_ACKS: usize = 128;        // ACKS_MAX x u64: records with DATA the relay sent, to acknowledge
/** ACKs owed before they are flushed (relay DATA is rare: controls). */
export const ACKS_MAX: u32 = ACKS_PER_RECORD_MAX;
/** Where the session generation counter lives, after the two slots. */
const GENERATION: usize = SESSIONS + 2 * SESSION_BYTES;

export const SESSION_CURRENT: usize = SESSIONS;
export const SESSION_PREVIOUS: usize = SESSIONS + SESSION_BYTES;

/** sessionOpen results. */
export const OPEN_DROP: i32 = -1;  // forged, replayed, expired: drop and count (§8)
export const OPEN_CLOSE: i32 = -2; // authentic but out of order on TCP: close the connection (§8)

/**
 * Key of a record in the queue's in-flight map: session generation and
 * counter, so counters of different sessions (each starts at 0) never collide.
 */
export function recordKey(s: usize, counter: u64): u64 {
  return (<u64>load<u32>(s + S_GEN) << 32) | counter;
}

/** Notes that the relay's record `counter` carried DATA; false when the list is full (flush first). */
export function sessionOweAck(s: usize, counter: u64): bool {
  const n = load<u32>(s + S_ACK_COUNT);
  if (n >= ACKS_MAX) return false;
  store<u64>(s + S_ACKS + (<usize>n << 3), counter);
  store<u32>(s + S_ACK_COUNT, n + 1);
  return true;
}

/** Wipes a slot: keys, counters, window (§7: keys are zeroised when replaced). */
export function sessionWipe(s: usize): void {
  wipe(s, SESSION_BYTES);
}

/**
 * Makes the finished handshake the current session: the old current one
 * becomes the previous one (its predecessor wiped), keys come from Split().
 */
export function sessionInstall(localIndex: u32, remoteIndex: u32, now: u64): void {
  copy(SESSION_PREVIOUS, SESSION_CURRENT, SESSION_BYTES);
  const s = SESSION_CURRENT;
  sessionWipe(s);
  noiseSplit(s + S_SEND_KEY, s + S_RECV_KEY);
  store<u64>(s + S_CREATED_MS, now);
  store<u32>(s + S_LOCAL_INDEX, localIndex);
  store<u32>(s + S_REMOTE_INDEX, remoteIndex);
  store<u32>(s + S_VALID, 1);
  const gen = load<u32>(GENERATION) + 1;
  store<u32>(GENERATION, gen);
  store<u32>(s + S_GEN, gen);
}

/** True when the slot holds keys younger than REJECT_AFTER_TIME. */
export function sessionAlive(s: usize, now: u64): bool {
  return (<u32>(load<u32>(s + S_VALID) != 0) & <u32>(now < load<u64>(s + S_CREATED_MS) + REJECT_AFTER_TIME_MS)) != 0;
}

/** The live slot whose index the peer addressed, or 0. */
export function sessionFind(receiver: u32, now: u64): usize {
  if (sessionAlive(SESSION_CURRENT, now) && load<u32>(SESSION_CURRENT + S_LOCAL_INDEX) == receiver) return SESSION_CURRENT;
  if (sessionAlive(SESSION_PREVIOUS, now) && load<u32>(SESSION_PREVIOUS + S_LOCAL_INDEX) == receiver) return SESSION_PREVIOUS;
  return 0;
}

/** Wipes slots past REJECT_AFTER_TIME (§7: neither side uses a key older than that). */
export function sessionExpire(now: u64): void {
  if (load<u32>(SESSION_CURRENT + S_VALID) != 0 && !sessionAlive(SESSION_CURRENT, now)) sessionWipe(SESSION_CURRENT);
  if (load<u32>(SESSION_PREVIOUS + S_VALID) != 0 && !sessionAlive(SESSION_PREVIOUS, now)) sessionWipe(SESSION_PREVIOUS);
}

/**
 * Seals the frames already placed at msg + 16 (framesLen bytes) into a
 * TRANSPORT record in place. Returns the record length, or -1 when the
 * counter reached REJECT_AFTER_MESSAGES (the caller must rekey first).
 * A counter is never used twice: it advances before the record leaves.
 */
export function sessionSeal(s: usize, msg: usize, framesLen: u32): i32 {
  const counter = load<u64>(s + S_SEND_COUNTER);
  if (counter >= REJECT_AFTER_MESSAGES) return -1;
  store<u64>(s + S_SEND_COUNTER, counter + 1);
  putHeader(msg, MSG_TRANSPORT);
  store<u32>(msg, load<u32>(s + S_REMOTE_INDEX), 4);
  store<u64>(msg + TRANSPORT_COUNTER_OFF, counter);
  const nonce = SCRATCH + SCRATCH_NONCE;
  noiseNonce(nonce, counter);
  const body = msg + TRANSPORT_HEADER_BYTES;
  aeadSeal(body, s + S_SEND_KEY, nonce, 0, 0, body, framesLen);
  return <i32>(TRANSPORT_MIN_BYTES + framesLen);
}

/**
 * Authenticates and decrypts a TRANSPORT record in place (frames at msg + 16).
 * Returns the frames' length, OPEN_DROP or OPEN_CLOSE. Authenticate first,
 * then check order (§6); the window moves only for an authentic record.
 */
export function sessionOpen(s: usize, msg: usize, len: u32, strictOrder: bool): i32 {
  const counter = load<u64>(msg + TRANSPORT_COUNTER_OFF);
  if (counter >= REJECT_AFTER_MESSAGES) return OPEN_DROP;
  const w = s + S_REPLAY;
  // Cheap pre-filter on public data: spares the AEAD for obvious replays.
  if (!strictOrder && !replayCheck(w, counter)) return OPEN_DROP;
  const nonce = SCRATCH + SCRATCH_NONCE;
  noiseNonce(nonce, counter);
  const body = msg + TRANSPORT_HEADER_BYTES;
  const n = len - TRANSPORT_MIN_BYTES;
  if (aeadOpen(body, s + S_RECV_KEY, nonce, 0, 0, body, n, body + n) != STATUS_OK) return OPEN_DROP;
  if (strictOrder && counter != replayTop(w)) return OPEN_CLOSE;
  replayUpdate(w, counter);
  return <i32>n;
}
