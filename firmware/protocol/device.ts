// The device's protocol state machine: enrollment, session handshakes and
// rekeys, the relay link, and the DATA queue, driven by the board through
// fw_init / fw_step / fw_on_packet / fw_enroll / fw_send / fw_reading
// (firmware/index.ts).
//
//   UNENROLLED --fw_enroll--> ENROLLING --ENROLLED frame--> ENROLLED
//   ENROLLED: no session -> SESSION_INIT -> SESSION_RESP -> session; rekey
//   after REKEY_AFTER_TIME +- jitter or REKEY_AFTER_MESSAGES, or on REKEY.
//
// Everything here branches only on public data: message types, lengths,
// indices, counters, clocks and the success of authentication.

import { wipe, copy } from "../crypto/ct";
import {
  HAL_OK, HAL_EINVAL, HAL_ENOENT, HAL_EAGAIN,
  hal_clock_now_ms, hal_rng_fill, hal_log, hal_net_open, hal_net_send, hal_net_close,
} from "../hal.generated";
import { MSG, TX, RX, HS, DEV, DEV_BYTES, SCRATCH, SESSIONS, SESSION_BYTES } from "./mem";
import { HS_RESULT, noiseWipe } from "./noise";
import {
  SESSION_CURRENT, SESSION_PREVIOUS, S_SEND_COUNTER, S_CREATED_MS, S_ACK_COUNT, S_ACKS,
  REKEY_AFTER_TIME_MS, REKEY_JITTER_MS, REKEY_AFTER_MESSAGES, REJECT_AFTER_TIME_MS, REKEY_TIMEOUT_MS,
  REKEY_TIMEOUT_JITTER_MS, KEEPALIVE_TIMEOUT_MS, OPEN_CLOSE,
  sessionInstall, sessionAlive, sessionFind, sessionExpire, sessionSeal, sessionOpen, sessionWipe,
  sessionOweAck, recordKey,
} from "./session";
import { tcpReset, tcpReceived, tcpNext, tcpMessage, tcpRxBytes } from "./tcp";
import { cookieAccept, cookieFresh } from "./cookie";
import {
  CONF_TRANSPORT, CONF_HOST, CONF_HOST_LEN, CONF_PORT, CONF_KEY_A, CONF_KEY_B,
  confFromClaimBundle, confSaveClaim, confSaveEnrolled, confLoadClaim, confLoadEnrolled,
} from "./conf";
import { identityLoad } from "./identity";
import { counterLoad, counterNext, sessionInitWrite, sessionRespRead } from "./handshake";
import { RESP_OK, RESP_WRONG_RELAY, enrollInitWrite, enrollRespRead, enrollFinishWrite } from "./enroll";
import {
  INFLIGHT_MAX, queueLoad, queuePush, queueCanSend, queueTake, queueAck, queueRewind, queueResendAt,
  queueInFlight, queueLength,
} from "./queue";
import { KEY_CLAIM, KEY_CLAIM_BYTES, storageDelete } from "./store";
import { readingsLoad, readingsDurable, readingsOnEnroll, readingsPush, readingsStatus } from "./readings";
import {
  MAX_MESSAGE_BYTES, MIN_MESSAGE_BYTES, MSG_SESSION_RESP, MSG_COOKIE_REPLY, MSG_TRANSPORT, MSG_ENROLL_RESP,
  SESSION_RESP_BYTES, COOKIE_REPLY_BYTES, TRANSPORT_MIN_BYTES, TRANSPORT_HEADER_BYTES, ENROLL_RESP_BYTES,
  INDEX_SENDER_OFF, INDEX_RECEIVER_OFF, TRANSPORT_COUNTER_OFF, FRAME_HEADER_BYTES, FRAME_DATA, FRAME_ACK, FRAME_REKEY,
  FRAME_ENROLLED, ADMISSION_KEY_BYTES, DATA_MAX_BYTES, ACK_FRAME_BYTES,
} from "./wire";
import {
  STATUS_RECORD_BYTES, STATE_UNENROLLED, STATE_ENROLLING, STATE_CONNECTING,
  ERR_WRONG_RELAY, ERR_STORAGE, ERR_RNG, ERR_LINK,
} from "./status";

// Device phases (D_PHASE), numbered as the status record's states (status.ts):
// ENROLLED is reported as CONNECTING, or ESTABLISHED (+1) with a session.
const PHASE_UNENROLLED: u32 = STATE_UNENROLLED;
const PHASE_ENROLLING: u32 = STATE_ENROLLING;
const PHASE_ENROLLED: u32 = STATE_CONNECTING;
// Handshake in flight (D_HS_KIND).
const HS_NONE: u32 = 0;
const HS_SESSION: u32 = 1;       // SESSION_INIT sent, waiting for SESSION_RESP
const HS_ENROLL_INIT: u32 = 2;   // ENROLL_INIT sent, waiting for ENROLL_RESP
const HS_ENROLL_FINISH: u32 = 3; // ENROLL_FINISH sent, waiting for the ENROLLED record

/**
 * ENROLL_FINISH is re-sent this many times, REKEY_TIMEOUT apart (the relay
 * answers each copy with the same ENROLLED record for 12 x REKEY_TIMEOUT),
 * before enrollment starts over from ENROLL_INIT, which can only succeed if
 * the relay never completed it (it marks the claim used when it does).
 */
const ENROLL_FINISH_RESENDS: u32 = 12;
/** Resend rounds without any ACK before the device suspects a lost session and handshakes again. */
const STALLS_BEFORE_HANDSHAKE: u32 = 3;
/** fw_step's answer when nothing is scheduled. */
const IDLE_STEP_MS: u64 = 60_000;

// DEV layout.
const D_PHASE: usize = 0;          // u32
const D_HS_KIND: usize = 4;        // u32
const D_HS_RETRY_MS: usize = 8;    // u64
const D_HS_LOCAL: usize = 16;      // u32: our index in the handshake in flight
const D_HANDLE: usize = 20;        // i32: relay link, -1 none
const D_RESENDS: usize = 24;       // u32: ENROLL_FINISH re-sends
const D_BOOTED: usize = 28;        // u32: fw_init succeeded
const D_NOW: usize = 32;           // u64: clock at entry
const D_LAST_SENT_MS: usize = 40;  // u64
const D_REKEY_MS: usize = 48;      // u64: current session's rekey time (jittered)
const D_TX_LEN: usize = 56;        // u32: length of the message in MSG (re-sent ENROLL_FINISH)
const D_ERROR: usize = 60;         // i32
const D_STALLS: usize = 64;        // u32: resend rounds without an ACK
const D_STATS: usize = 68;         // 10 x u32, in status-record order (status.ts, offset 40)
const STAT_DROPPED: usize = 0;
const STAT_WRONG_RELAY: usize = 4;
const STAT_HS_SENT: usize = 8;
const STAT_HS_DONE: usize = 12;
const STAT_TX: usize = 16;
const STAT_RX: usize = 20;
const STAT_ACKED: usize = 24;
const STAT_DATA_RX: usize = 28;
const STAT_LINK_RESETS: usize = 32;
const STAT_COOKIES: usize = 36;
const STATS_BYTES: usize = 40;

// Log lines (hal_log).
const LOG_WRONG_RELAY: usize = memory.data<u8>([ // "enroll: wrong relay key"
  0x65, 0x6e, 0x72, 0x6f, 0x6c, 0x6c, 0x3a, 0x20, 0x77, 0x72, 0x6f, 0x6e,
  0x67, 0x20, 0x72, 0x65, 0x6c, 0x61, 0x79, 0x20, 0x6b, 0x65, 0x79,
]);
const LOG_WRONG_RELAY_BYTES: u32 = 23;
const LOG_ENROLLED: usize = memory.data<u8>([0x65, 0x6e, 0x72, 0x6f, 0x6c, 0x6c, 0x65, 0x64]); // "enrolled"
const LOG_ENROLLED_BYTES: u32 = 8;

// ---- small helpers ----

// The build refuses `select` anywhere in the protocol (scripts/ct-select.ts:
// WAMR runs it as a branch). These values are public, but keeping the whole
// protocol select-free keeps that check simple: binaryen turns short ?: and
// ||/&& into select, so timers use arithmetic and conditions use | and &.

/** The earlier of two times. */
function earliest(a: u64, b: u64): u64 {
  return b + ((a - b) & (0 - <u64>(a < b)));
}

function stat(which: usize): void {
  const p = DEV + D_STATS + which;
  store<u32>(p, load<u32>(p) + 1);
}

function fail(err: i32): void {
  store<i32>(DEV + D_ERROR, err);
}

/** Reads the clock once per entry point; the board's clock never goes backwards. */
function clock(): u64 {
  hal_clock_now_ms(DEV + D_NOW, 8);
  return load<u64>(DEV + D_NOW);
}

function now(): u64 {
  return load<u64>(DEV + D_NOW);
}

/** base +- spread, uniform, from the board's RNG (§7: rekey times not predictable from outside). */
function jittered(base: u64, spread: u32): u64 {
  const r = SCRATCH;
  if (hal_rng_fill(r, 4) != HAL_OK) store<u32>(r, spread); // no entropy: no jitter, still a valid time
  const j = <u64>(load<u32>(r) % (2 * spread + 1));
  store<u32>(r, 0);
  return base - <u64>spread + j;
}

function isTcp(): bool {
  return load<u8>(CONF_TRANSPORT) == 1;
}

// ---- the relay link ----

function linkOpen(): bool {
  if (load<i32>(DEV + D_HANDLE) >= 0) return true;
  const h = hal_net_open(<i32>load<u8>(CONF_TRANSPORT), CONF_HOST, <u32>load<u8>(CONF_HOST_LEN), <i32>load<u16>(CONF_PORT));
  if (h < 0) {
    fail(ERR_LINK);
    return false;
  }
  store<i32>(DEV + D_HANDLE, h);
  tcpReset();
  return true;
}

/**
 * Drops the relay link. On TCP the relay binds sessions to the connection and
 * a lost record leaves a hole strict ordering cannot skip, so the sessions go
 * too and the next step starts over with a handshake on a new connection.
 */
function linkClose(): void {
  const h = load<i32>(DEV + D_HANDLE);
  if (h < 0) return;
  hal_net_close(h);
  store<i32>(DEV + D_HANDLE, -1);
  tcpReset();
  stat(STAT_LINK_RESETS);
  // The enrollment session survives: its ENROLLED answer to a re-sent
  // ENROLL_FINISH may arrive on the next connection.
  if (isTcp() && load<u32>(DEV + D_HS_KIND) != HS_ENROLL_FINISH) {
    sessionWipe(SESSION_CURRENT);
    sessionWipe(SESSION_PREVIOUS);
    abandonHandshake(now());
  }
}

/** Sends the len-byte message at MSG. */
function linkSend(len: u32): void {
  const h = load<i32>(DEV + D_HANDLE);
  if (h < 0) return;
  let st: i32;
  if (isTcp()) {
    store<u8>(TX, <u8>(len >> 8));
    store<u8>(TX + 1, <u8>len);
    st = hal_net_send(h, TX, len + 2);
  } else {
    st = hal_net_send(h, MSG, len);
  }
  if (st >= 0) {
    store<u64>(DEV + D_LAST_SENT_MS, now());
  } else if (st != HAL_EAGAIN || isTcp()) {
    // A UDP datagram refused for now is simply lost (the protocol re-sends);
    // anything else means the socket is gone.
    fail(ERR_LINK);
    linkClose();
  }
}

// ---- handshakes ----

function abandonHandshake(retryAt: u64): void {
  noiseWipe();
  store<u32>(DEV + D_HS_KIND, HS_NONE);
  store<u64>(DEV + D_HS_RETRY_MS, retryAt);
}

function handshakeFailed(err: i32): void {
  fail(err);
  abandonHandshake(now() + REKEY_TIMEOUT_MS);
}

/** A fresh random 32-bit index (§2), or false without entropy. */
function newIndex(): bool {
  return hal_rng_fill(DEV + D_HS_LOCAL, 4) == HAL_OK;
}

/** Sends a new SESSION_INIT (first session, rekey, or retry): fresh ephemeral, next counter. */
function startSession(): void {
  const t = now();
  noiseWipe();
  store<u64>(DEV + D_HS_RETRY_MS, t + jittered(REKEY_TIMEOUT_MS, REKEY_TIMEOUT_JITTER_MS));
  store<u32>(DEV + D_HS_KIND, HS_SESSION);
  if (!linkOpen()) return;
  if (!newIndex()) { handshakeFailed(ERR_RNG); return; }
  const n = sessionInitWrite(MSG, load<u32>(DEV + D_HS_LOCAL), t);
  if (n < 0) { handshakeFailed(-n); return; }
  stat(STAT_HS_SENT);
  linkSend(<u32>n);
}

/** Sends a new ENROLL_INIT for the claim in CONF. */
function startEnroll(): void {
  const t = now();
  noiseWipe();
  sessionWipe(SESSION_CURRENT);
  store<u64>(DEV + D_HS_RETRY_MS, t + jittered(REKEY_TIMEOUT_MS, REKEY_TIMEOUT_JITTER_MS));
  store<u32>(DEV + D_HS_KIND, HS_ENROLL_INIT);
  if (!linkOpen()) return;
  if (!newIndex()) { handshakeFailed(ERR_RNG); return; }
  const n = enrollInitWrite(MSG, load<u32>(DEV + D_HS_LOCAL), t);
  if (n < 0) { handshakeFailed(-n); return; }
  stat(STAT_HS_SENT);
  linkSend(<u32>n);
}

function onSessionResp(msg: usize): void {
  if (!sessionRespRead(msg)) { stat(STAT_DROPPED); return; }
  const t = now();
  sessionInstall(load<u32>(DEV + D_HS_LOCAL), load<u32>(msg + INDEX_SENDER_OFF), t);
  noiseWipe();
  store<u32>(DEV + D_HS_KIND, HS_NONE);
  store<u64>(DEV + D_REKEY_MS, t + jittered(REKEY_AFTER_TIME_MS, REKEY_JITTER_MS));
  stat(STAT_HS_DONE);
  store<u32>(DEV + D_STALLS, 0);
  // Unacknowledged DATA goes again on the new keys; and the relay takes the
  // session only once a record arrives under them (§4 key confirmation), so
  // one leaves now even when there is nothing to say.
  queueRewind(t);
  flush(SESSION_CURRENT, true);
}

function onEnrollResp(msg: usize): void {
  const r = enrollRespRead(msg);
  if (r == RESP_WRONG_RELAY) {
    // §8: abort the handshake and report; enrollment retries later and keeps
    // refusing for as long as the relay presents the wrong key.
    stat(STAT_WRONG_RELAY);
    fail(ERR_WRONG_RELAY);
    hal_log(0, LOG_WRONG_RELAY, LOG_WRONG_RELAY_BYTES);
    abandonHandshake(now() + jittered(REKEY_TIMEOUT_MS, REKEY_TIMEOUT_JITTER_MS));
    return;
  }
  if (r != RESP_OK) { stat(STAT_DROPPED); return; }
  const remote = load<u32>(msg + INDEX_SENDER_OFF);
  const n = enrollFinishWrite(MSG, remote);
  if (n < 0) { handshakeFailed(-n); return; }
  // Keys for the ENROLLED record; the handshake state keeps only device_psk.
  sessionInstall(load<u32>(DEV + D_HS_LOCAL), remote, now());
  wipe(HS, HS_RESULT);
  store<u32>(DEV + D_HS_KIND, HS_ENROLL_FINISH);
  store<u32>(DEV + D_TX_LEN, <u32>n);
  store<u32>(DEV + D_RESENDS, 0);
  store<u64>(DEV + D_HS_RETRY_MS, now() + jittered(REKEY_TIMEOUT_MS, REKEY_TIMEOUT_JITTER_MS));
  linkSend(<u32>n);
}

/** The ENROLLED frame: persist device_psk and the admission key, then open the first session. */
function onEnrolled(admission: usize): void {
  copy(CONF_KEY_A, HS + HS_RESULT, 32);
  copy(CONF_KEY_B, admission, ADMISSION_KEY_BYTES);
  if (confSaveEnrolled() != HAL_OK) {
    // Keep the claim: the next ENROLL_FINISH re-send earns another ENROLLED.
    fail(ERR_STORAGE);
    confLoadClaim();
    return;
  }
  storageDelete(KEY_CLAIM, KEY_CLAIM_BYTES);
  noiseWipe();
  sessionWipe(SESSION_CURRENT);
  sessionWipe(SESSION_PREVIOUS);
  store<u32>(DEV + D_PHASE, PHASE_ENROLLED);
  store<u32>(DEV + D_HS_KIND, HS_NONE);
  hal_log(2, LOG_ENROLLED, LOG_ENROLLED_BYTES);
  startSession();
}

// ---- transport ----

/**
 * Sends what is due on session s: the ACKs it owes, queued DATA (current
 * session only; one item per record, up to the in-flight window), or, when
 * `force`, one record even if empty (keepalive, key confirmation).
 */
function flush(s: usize, force: bool): void {
  for (let i: u32 = 0; i <= INFLIGHT_MAX; i++) {
    if (load<u32>(DEV + D_PHASE) != PHASE_ENROLLED || !sessionAlive(s, now()) || load<i32>(DEV + D_HANDLE) < 0) return;
    // Sealed records leave only once the sealer state that accounts for them
    // is saved (readings.ts: boot must be able to replay them).
    const hasData = s == SESSION_CURRENT && queueCanSend() && readingsDurable();
    const acks = load<u32>(s + S_ACK_COUNT);
    if (!hasData && acks == 0 && !force) return;
    force = false;
    const frames = MSG + TRANSPORT_HEADER_BYTES;
    let off: u32 = 0;
    // ACK: the counter of one record that carried DATA, on the session it came in (§6).
    for (let a: u32 = 0; a < acks; a++) {
      store<u8>(frames + off, FRAME_ACK);
      store<u8>(frames + off + 1, 0);
      store<u8>(frames + off + 2, 8);
      store<u64>(frames + off + 3, load<u64>(s + S_ACKS + (<usize>a << 3)));
      off += ACK_FRAME_BYTES;
    }
    store<u32>(s + S_ACK_COUNT, 0);
    if (hasData) {
      const body = frames + off + FRAME_HEADER_BYTES;
      const n = queueTake(body, DATA_MAX_BYTES, recordKey(s, load<u64>(s + S_SEND_COUNTER)), now());
      if (n >= 0) {
        store<u8>(frames + off, FRAME_DATA);
        store<u8>(frames + off + 1, <u8>(n >> 8));
        store<u8>(frames + off + 2, <u8>n);
        off += FRAME_HEADER_BYTES + <u32>n;
      }
    }
    const len = sessionSeal(s, MSG, off);
    if (len < 0) return; // REJECT_AFTER_MESSAGES: only a rekey helps
    stat(STAT_TX);
    linkSend(<u32>len);
  }
}

/** What to do with a DATA body from the relay (controls): not yet consumed here. */
function dataReceived(body: usize, len: u32): void {
  // Controls are sealed end to end and signed (DESIGN "Twins"); until the
  // layer that opens and checks them exists, the core only counts and
  // acknowledges them and hands nothing unverified to the application.
  stat(STAT_DATA_RX);
}

function onTransport(msg: usize, len: u32): void {
  const t = now();
  const s = sessionFind(load<u32>(msg + 4), t);
  if (s == 0) { stat(STAT_DROPPED); return; }
  // Strict order applies to sessions; the enrollment session carries one
  // ENROLLED record, possibly re-sent on another connection.
  const n = sessionOpen(s, msg, len, isTcp() && load<u32>(DEV + D_PHASE) == PHASE_ENROLLED);
  if (n == OPEN_CLOSE) { stat(STAT_DROPPED); linkClose(); return; }
  if (n < 0) { stat(STAT_DROPPED); return; }
  stat(STAT_RX);
  const enrolled = load<u32>(DEV + D_PHASE) == PHASE_ENROLLED;
  let p = msg + TRANSPORT_HEADER_BYTES;
  const end = p + <usize>n;
  let data = false;
  while (end - p >= FRAME_HEADER_BYTES) {
    const kind = load<u8>(p);
    const flen = (<usize>load<u8>(p + 1) << 8) | <usize>load<u8>(p + 2);
    const body = p + FRAME_HEADER_BYTES;
    if (end - body < flen) break; // authentic but malformed: ignore the rest
    p = body + flen;
    if (kind == FRAME_DATA) {
      dataReceived(body, <u32>flen);
      data = true;
    } else if (kind == FRAME_ACK) {
      if (enrolled && flen == 8) {
        const k = queueAck(recordKey(s, load<u64>(body)), t);
        store<u32>(DEV + D_STATS + STAT_ACKED, load<u32>(DEV + D_STATS + STAT_ACKED) + k);
        if (k != 0) store<u32>(DEV + D_STALLS, 0);
      }
    } else if (kind == FRAME_REKEY) {
      if (enrolled && s == SESSION_CURRENT && load<u32>(DEV + D_HS_KIND) == HS_NONE) startSession();
    } else if (kind == FRAME_ENROLLED) {
      if (!enrolled && load<u32>(DEV + D_HS_KIND) == HS_ENROLL_FINISH && flen == ADMISSION_KEY_BYTES) {
        onEnrolled(body);
        wipe(msg + TRANSPORT_HEADER_BYTES, <usize>n);
        return;
      }
    }
    // PADDING and unknown kinds: skipped by length (§6).
  }
  // The plaintext (an admission key, controls) does not outlive its processing.
  wipe(msg + TRANSPORT_HEADER_BYTES, <usize>n);
  if (data && enrolled) {
    const counter = load<u64>(msg + TRANSPORT_COUNTER_OFF);
    if (!sessionOweAck(s, counter)) {
      flush(s, false);
      sessionOweAck(s, counter);
    }
  }
}

/** One complete message from the relay (UDP datagram or TCP frame). */
function onMessage(msg: usize, len: u32): void {
  // The type and the three reserved zero bytes, read as one value: non-zero
  // reserved bytes make it match no type (§8: drop).
  const type = len >= MIN_MESSAGE_BYTES ? load<u32>(msg) : 0;
  const kind = load<u32>(DEV + D_HS_KIND);
  const mine = load<u32>(DEV + D_HS_LOCAL);
  if (type == MSG_TRANSPORT && len >= TRANSPORT_MIN_BYTES) {
    onTransport(msg, len);
  } else if (type == MSG_SESSION_RESP && len == SESSION_RESP_BYTES && kind == HS_SESSION
    && load<u32>(msg + INDEX_RECEIVER_OFF) == mine) {
    onSessionResp(msg);
  } else if (type == MSG_ENROLL_RESP && len == ENROLL_RESP_BYTES && kind == HS_ENROLL_INIT
    && load<u32>(msg + INDEX_RECEIVER_OFF) == mine) {
    onEnrollResp(msg);
  } else if (type == MSG_COOKIE_REPLY && len == COOKIE_REPLY_BYTES && (kind == HS_SESSION || kind == HS_ENROLL_INIT)
    && load<u32>(msg + 4) == mine) {
    if (!cookieAccept(msg, now())) { stat(STAT_DROPPED); return; }
    stat(STAT_COOKIES);
    // §5: retry with mac2. The relay did no work on the refused message, so
    // a fresh one (new ephemeral, next counter) costs it nothing either.
    if (kind == HS_SESSION) startSession(); else startEnroll();
  } else {
    stat(STAT_DROPPED);
  }
}

// ---- entry points (firmware/index.ts) ----

/** fw_init: identity, counters, queue and enrollment from storage. */
export function deviceInit(): i32 {
  wipe(DEV, DEV_BYTES);
  wipe(SESSIONS, SESSION_BYTES * 2);
  noiseWipe();
  tcpReset();
  store<i32>(DEV + D_HANDLE, -1);
  clock();
  let st = identityLoad();
  if (st == HAL_OK) st = counterLoad();
  if (st == HAL_OK) st = queueLoad();
  if (st == HAL_OK) st = readingsLoad();
  if (st != HAL_OK) return st;
  if (confLoadClaim() == HAL_OK) store<u32>(DEV + D_PHASE, PHASE_ENROLLING);
  else if (confLoadEnrolled() == HAL_OK) store<u32>(DEV + D_PHASE, PHASE_ENROLLED);
  store<u32>(DEV + D_BOOTED, 1);
  return HAL_OK;
}

/** fw_step: runs due timers; returns the milliseconds until it wants to run again. */
export function deviceStep(): i32 {
  if (load<u32>(DEV + D_BOOTED) == 0) return <i32>IDLE_STEP_MS;
  const t = clock();
  sessionExpire(t);
  let wake = t + IDLE_STEP_MS;
  const phase = load<u32>(DEV + D_PHASE);
  const s = SESSION_CURRENT;
  if (phase == PHASE_ENROLLING) {
    if (t >= load<u64>(DEV + D_HS_RETRY_MS)) {
      const resends = load<u32>(DEV + D_RESENDS);
      if ((<u32>(load<u32>(DEV + D_HS_KIND) == HS_ENROLL_FINISH) & <u32>(resends < ENROLL_FINISH_RESENDS)) != 0) {
        // MSG still holds ENROLL_FINISH: nothing else is sent while enrolling.
        store<u32>(DEV + D_RESENDS, resends + 1);
        store<u64>(DEV + D_HS_RETRY_MS, t + jittered(REKEY_TIMEOUT_MS, REKEY_TIMEOUT_JITTER_MS));
        if (linkOpen()) linkSend(load<u32>(DEV + D_TX_LEN));
      } else {
        startEnroll();
      }
    }
    wake = earliest(wake, load<u64>(DEV + D_HS_RETRY_MS));
  } else if (phase == PHASE_ENROLLED) {
    const kind = load<u32>(DEV + D_HS_KIND);
    if (kind == HS_NONE) {
      const due = <u32>!sessionAlive(s, t) | <u32>(t >= load<u64>(DEV + D_REKEY_MS))
        | <u32>(load<u64>(s + S_SEND_COUNTER) >= REKEY_AFTER_MESSAGES);
      if (due != 0) startSession();
    } else if (t >= load<u64>(DEV + D_HS_RETRY_MS)) {
      startSession();
    }
    if (load<u32>(DEV + D_HS_KIND) != HS_NONE) wake = earliest(wake, load<u64>(DEV + D_HS_RETRY_MS));
    else wake = earliest(wake, load<u64>(DEV + D_REKEY_MS));
    if (sessionAlive(s, t)) {
      if (queueInFlight() > 0 && t >= queueResendAt()) {
        // No ACK for RESEND_TIMEOUT: send again. After STALLS_BEFORE_HANDSHAKE
        // such rounds the relay has probably lost the session (restart,
        // failover): a new handshake is cheaper than waiting for the rekey.
        queueRewind(t);
        const stalls = load<u32>(DEV + D_STALLS) + 1;
        store<u32>(DEV + D_STALLS, stalls);
        if (stalls >= STALLS_BEFORE_HANDSHAKE && load<u32>(DEV + D_HS_KIND) == HS_NONE) startSession();
      }
      flush(s, t >= load<u64>(DEV + D_LAST_SENT_MS) + KEEPALIVE_TIMEOUT_MS);
      wake = earliest(wake, load<u64>(DEV + D_LAST_SENT_MS) + KEEPALIVE_TIMEOUT_MS);
      wake = earliest(wake, load<u64>(s + S_CREATED_MS) + REJECT_AFTER_TIME_MS);
      if (queueInFlight() > 0) wake = earliest(wake, queueResendAt());
    }
    if (sessionAlive(SESSION_PREVIOUS, t)) wake = earliest(wake, load<u64>(SESSION_PREVIOUS + S_CREATED_MS) + REJECT_AFTER_TIME_MS);
  }
  return <i32>((wake - t) & (0 - <u64>(wake > t))); // 0 when already due
}

/** fw_on_packet: len bytes arrived at fw_rx_ptr() from handle. */
export function deviceOnPacket(handle: i32, len: u32): i32 {
  if (load<u32>(DEV + D_BOOTED) == 0) return HAL_EINVAL;
  if (handle != load<i32>(DEV + D_HANDLE) || handle < 0) {
    stat(STAT_DROPPED);
    return HAL_ENOENT;
  }
  clock();
  if (isTcp()) {
    if (len > tcpRxBytes()) {
      // The board wrote past the free space (it must ask fw_rx_ptr and
      // fw_rx_bytes before every receive): the stream cannot be trusted.
      stat(STAT_DROPPED);
      linkClose();
      return HAL_EINVAL;
    }
    tcpReceived(len);
    for (;;) {
      const n = tcpNext();
      if (n == 0) break;
      if (n < 0) { stat(STAT_DROPPED); linkClose(); break; }
      onMessage(tcpMessage(<u32>n), <u32>n);
      if (load<i32>(DEV + D_HANDLE) != handle) break;
    }
  } else {
    if (len > MAX_MESSAGE_BYTES) { stat(STAT_DROPPED); return HAL_EINVAL; }
    onMessage(RX, len);
  }
  flush(SESSION_PREVIOUS, false);
  flush(SESSION_CURRENT, false);
  return HAL_OK;
}

/** fw_enroll: starts enrollment with the claim bundle at b (conf.ts). */
export function deviceEnroll(b: usize, len: u32): i32 {
  if (load<u32>(DEV + D_BOOTED) == 0) return HAL_EINVAL;
  const wasEnrolled = load<u32>(DEV + D_PHASE) == PHASE_ENROLLED;
  let st = confFromClaimBundle(b, len);
  if (st != HAL_OK) return st;
  st = confSaveClaim();
  if (st != HAL_OK) {
    fail(ERR_STORAGE);
    if (wasEnrolled) confLoadEnrolled();
    return st;
  }
  clock();
  linkClose();
  sessionWipe(SESSION_CURRENT);
  sessionWipe(SESSION_PREVIOUS);
  readingsOnEnroll();
  store<u32>(DEV + D_PHASE, PHASE_ENROLLING);
  startEnroll();
  return HAL_OK;
}

/** fw_send: queues one DATA body (kept in storage until acknowledged). */
export function deviceSend(data: usize, len: u32): i32 {
  if (load<u32>(DEV + D_BOOTED) == 0 || len == 0 || len > DATA_MAX_BYTES) return HAL_EINVAL;
  const st = queuePush(data, len);
  if (st != HAL_OK) {
    fail(ERR_STORAGE);
    return st;
  }
  clock();
  flush(SESSION_CURRENT, false);
  return HAL_OK;
}

/** fw_reading: seals len payload bytes at data as the next READING of feed and queues the records (readings.ts). */
export function deviceReading(feed: u32, data: usize, len: u32): i32 {
  // The owner's key (CONF_OWNER) is part of the enrollment: no sealing before.
  if ((<u32>(load<u32>(DEV + D_BOOTED) == 0) | <u32>(load<u32>(DEV + D_PHASE) != PHASE_ENROLLED)) != 0) return HAL_EINVAL;
  const t = clock();
  const st = readingsPush(feed, data, len, t);
  if (st != HAL_OK) {
    if (st != HAL_EINVAL) fail(ERR_STORAGE);
    return st;
  }
  flush(SESSION_CURRENT, false);
  return HAL_OK;
}

/** fw_status: the status record (status.ts) at out. */
export function deviceStatus(out: usize): void {
  const t = clock();
  const phase = load<u32>(DEV + D_PHASE);
  const s = SESSION_CURRENT;
  const alive = sessionAlive(s, t);
  const state = <u8>phase + <u8>((<u32>(phase == PHASE_ENROLLED) & <u32>alive));
  wipe(out, STATUS_RECORD_BYTES);
  store<u8>(out, state);
  store<u8>(out + 1, load<u8>(CONF_TRANSPORT));
  store<u8>(out + 2, <u8>(load<u32>(DEV + D_HS_KIND) != HS_NONE));
  store<u8>(out + 3, <u8>cookieFresh(t));
  store<i32>(out + 4, load<i32>(DEV + D_ERROR));
  store<u32>(out + 8, queueLength());
  store<u32>(out + 12, queueInFlight());
  store<u64>(out + 16, counterNext());
  if ((<u32>alive & <u32>(phase == PHASE_ENROLLED)) != 0) {
    store<u64>(out + 24, load<u64>(s + S_SEND_COUNTER));
    store<u64>(out + 32, t - load<u64>(s + S_CREATED_MS));
    const rekey = load<u64>(DEV + D_REKEY_MS);
    if (rekey > t) store<u32>(out + 80, <u32>(rekey - t));
  }
  copy(out + 40, DEV + D_STATS, STATS_BYTES);
  readingsStatus(out);
}
