/*
 * The device protocol's entry points (fw_init, fw_enroll, fw_step,
 * fw_on_packet, fw_reading, fw_status) under memcheck, replaying a device
 * life recorded against the TypeScript relay (trace.ts; the trace is
 * generated into build/ctgrind/ at test time). Secrets are undefined to
 * memcheck: random bytes and the secret parts of stored values (hal_stub.c),
 * the claim token in the bundle fw_enroll takes, and every fw_reading
 * payload. Each case replays one segment of the life, in order: the cases
 * share the core's state and must run all, in this order.
 *
 * The replay proves it took the recorded paths: every byte the core sends
 * (handshake messages, transport records) and every status record equals
 * the recording, so the relay's recorded answers authenticated here too.
 */
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "replay.h"

#define Z(name) Z_sealinkZ_##name
#define STATUS_RECORD_BYTES 104u
/* conf.ts: the claim token in a claim bundle (trace.ts BUNDLE_TOKEN_OFF). */
#define BUNDLE_TOKEN_OFF 44u
#define BUNDLE_TOKEN_BYTES 16u

extern const uint8_t ct_trace[];
extern const uint32_t ct_trace_bytes;

static void diverged(const char *op, int32_t got, int32_t want) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s returned %d, recorded %d", op, got, want);
  ct_tr_diverged(msg);
}

/** Runs one recorded entry-point call; returns its name. */
static const char *run_op(void) {
  uint8_t op = ct_tr_u8();
  int32_t r;
  const char *name;
  uint32_t status_off = 0;
  switch (op) {
    case OP_INIT:
      name = "fw_init";
      r = (int32_t)Z(fw_init)(ct_core);
      break;
    case OP_STEP:
      name = "fw_step";
      r = (int32_t)Z(fw_step)(ct_core);
      break;
    case OP_ENROLL: {
      name = "fw_enroll";
      uint32_t len = (uint32_t)ct_tr_i32();
      ct_expect(len <= ct_io_bytes && len >= BUNDLE_TOKEN_OFF + BUNDLE_TOKEN_BYTES, "claim bundle fits");
      memcpy(ct_io, ct_tr_bytes(len), len);
      ct_secret(BUNDLE_TOKEN_OFF, BUNDLE_TOKEN_BYTES); /* the claim token */
      r = (int32_t)Z(fw_enroll)(ct_core, 0, len);
      break;
    }
    case OP_PACKET: {
      name = "fw_on_packet";
      int32_t handle = ct_tr_i32();
      uint32_t len = (uint32_t)ct_tr_i32();
      wasm_rt_memory_t *mem = Z(memory)(ct_core);
      uint32_t rx = Z(fw_rx_ptr)(ct_core);
      ct_expect(len <= Z(fw_rx_bytes)(ct_core) && (uint64_t)rx + len <= mem->size, "packet fits fw_rx_bytes()");
      memcpy(mem->data + rx, ct_tr_bytes(len), len); /* from the relay: public */
      r = (int32_t)Z(fw_on_packet)(ct_core, (uint32_t)handle, len);
      break;
    }
    case OP_READING: {
      name = "fw_reading";
      uint32_t feed = (uint32_t)ct_tr_i32();
      uint32_t len = (uint32_t)ct_tr_i32();
      ct_expect(len <= ct_io_bytes, "payload fits");
      memcpy(ct_io, ct_tr_bytes(len), len);
      ct_secret(0, len); /* the application's reading */
      r = (int32_t)Z(fw_reading)(ct_core, feed, 0, len);
      break;
    }
    case OP_STATUS:
      name = "fw_status";
      status_off = (uint32_t)ct_tr_i32();
      ct_expect(status_off + STATUS_RECORD_BYTES <= ct_io_bytes, "status record fits");
      r = (int32_t)Z(fw_status)(ct_core, status_off);
      break;
    default:
      ct_tr_diverged("unknown op in the trace");
      return "";
  }
  ct_tr_expect(TR_END, name); /* the core made no HAL call the recording has next */
  int32_t want = ct_tr_i32();
  if (r != want) diverged(name, r, want);
  if (op == OP_STATUS) {
    /* The status record (state, counters, epoch, seq) is what the board may print: public. */
    if (!ct_tr_same_public(ct_io + status_off, ct_tr_bytes(STATUS_RECORD_BYTES), STATUS_RECORD_BYTES)) {
      ct_tr_diverged("fw_status: another status record than recorded");
    }
  }
  return name;
}

/** Replays the segment `name` of the trace; returns the number of entry-point calls. */
static unsigned segment(const char *name) {
  if (!ct_replay_active()) ct_replay_start(ct_trace, ct_trace_bytes);
  ct_tr_expect(TR_SEGMENT, name);
  uint32_t n = ct_tr_u8();
  const uint8_t *s = ct_tr_bytes(n);
  if (n != strlen(name) || memcmp(s, name, n) != 0) ct_tr_diverged("segments out of order (run every protocol case, in order)");
  unsigned calls = 0;
  for (;;) {
    uint8_t t = ct_tr_peek();
    if (t == TR_SEGMENT || t == TR_FINISH) break;
    ct_tr_expect(TR_OP, "an entry point");
    run_op();
    calls++;
  }
  return calls;
}

static unsigned case_boot(void) { return segment("boot"); }
static unsigned case_enroll(void) { return segment("enroll"); }
static unsigned case_reading(void) { return segment("reading"); }
static unsigned case_rekey(void) { return segment("rekey"); }
static unsigned case_rotate(void) { return segment("rotate"); }
static unsigned case_reboot(void) {
  unsigned calls = segment("reboot");
  ct_tr_expect(TR_FINISH, "the end of the trace");
  return calls;
}

const ct_case ct_cases[] = {
  { "boot", case_boot },
  { "enroll", case_enroll },
  { "reading", case_reading },
  { "rekey", case_rekey },
  { "rotate", case_rotate },
  { "reboot", case_reboot },
};
const unsigned ct_case_count = sizeof ct_cases / sizeof ct_cases[0];
