/*
 * The HAL of hal/c/sealink_hal.h for the ctgrind harness only (the real host
 * board HAL lives in boards/host/). No accelerators, so the core runs its own
 * crypto, which is what is under test.
 *
 * What is secret, for memcheck (docs/constant-time.md):
 * - Random bytes: hal_rng_fill marks its output undefined, except 4-byte
 *   draws. Every 4-byte draw in the core is public by design: a session
 *   index (sent in the clear) or a jitter (rekey/retry times, epoch budgets:
 *   observable as timing and epoch boundaries). test/ctgrind.test.ts keeps
 *   the list of the core's draws current.
 * - Storage: a value keeps the definedness it was written with (a copy), and
 *   on every read the secret parts of the keys in firmware/protocol/store.ts
 *   are marked undefined again: sl.id (the identity seed) whole, sl.claim's
 *   claim psk, sl.enr's device psk and admission key (conf.ts CONF_KEY_A/B).
 *
 * Storage is an in-memory table with SimHal's semantics. While a trace is
 * replayed (replay.h) the clock, the network and the storage results come
 * from, and are checked against, the recording; otherwise the clock is 0 and
 * there is no network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "sealink_hal.h"
#include "replay.h"

static uint64_t stub_rng = 0x5eed5eed5eed5eedULL;

/* ---- the trace cursor ---- */

static const uint8_t *tr;
static uint32_t tr_len, tr_at;

void ct_replay_start(const uint8_t *trace, uint32_t len) {
  tr = trace;
  tr_len = len;
  tr_at = 0;
  if (len < 12 || memcmp(trace, "CTTR", 4) != 0) ct_tr_diverged("not a trace (bad header)");
  tr_at = 4;
  stub_rng = ct_tr_u64();
}

int ct_replay_active(void) { return tr != NULL; }

void ct_tr_diverged(const char *what) {
  printf("FAILED: replay diverged at trace offset %u: %s\n", tr_at, what);
  fflush(stdout);
  exit(2);
}

static void need(uint32_t n) { if (tr_len - tr_at < n) ct_tr_diverged("trace ends early"); }
uint8_t ct_tr_peek(void) { need(1); return tr[tr_at]; }
uint8_t ct_tr_u8(void) { need(1); return tr[tr_at++]; }
int32_t ct_tr_i32(void) {
  need(4);
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | tr[tr_at + i];
  tr_at += 4;
  return (int32_t)v;
}
uint64_t ct_tr_u64(void) {
  need(8);
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | tr[tr_at + i];
  tr_at += 8;
  return v;
}
const uint8_t *ct_tr_bytes(uint32_t n) { need(n); const uint8_t *p = tr + tr_at; tr_at += n; return p; }

void ct_tr_expect(uint8_t tag, const char *doing) {
  uint8_t t = ct_tr_peek();
  if (t != tag) {
    char msg[160];
    snprintf(msg, sizeof msg, "the core called %s, the recording has tag %u next", doing, t);
    ct_tr_diverged(msg);
  }
  tr_at++;
}

int ct_tr_same_public(const uint8_t *core_bytes, const uint8_t *recorded, uint32_t n) {
  static uint8_t copy[4096];
  if (n > sizeof copy) ct_tr_diverged("comparison too long");
  memcpy(copy, core_bytes, n);
  VALGRIND_MAKE_MEM_DEFINED(copy, n);
  return memcmp(copy, recorded, n) == 0;
}

static void expect_i32(int32_t got, const char *what) {
  int32_t want = ct_tr_i32();
  if (got != want) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %d, recorded %d", what, got, want);
    ct_tr_diverged(msg);
  }
}

static void expect_key(const uint8_t *key, uint32_t key_len, const char *what) {
  uint32_t n = ct_tr_u8();
  const uint8_t *k = ct_tr_bytes(n);
  if (n != key_len || memcmp(k, key, n) != 0) ct_tr_diverged(what);
}

/* ---- clock, randomness, log ---- */

int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len) {
  memset(out, 0, out_len);
  if (ct_replay_active()) {
    ct_tr_expect(TR_CLOCK, "hal_clock_now_ms");
    memcpy(out, ct_tr_bytes(8), out_len < 8 ? out_len : 8);
  }
  return HAL_OK;
}

int32_t hal_rng_fill(uint8_t *out, uint32_t out_len) {
  if (ct_replay_active()) {
    ct_tr_expect(TR_RNG, "hal_rng_fill");
    if ((uint32_t)ct_tr_i32() != out_len) ct_tr_diverged("hal_rng_fill length");
  }
  for (uint32_t i = 0; i < out_len; i++) {
    stub_rng = stub_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    out[i] = (uint8_t)(stub_rng >> 56);
  }
  if (out_len != 4) VALGRIND_MAKE_MEM_UNDEFINED(out, out_len);
  return HAL_OK;
}

int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len) {
  fprintf(stderr, "hal_log %d: %.*s\n", level, (int)message_len, (const char *)message);
  return HAL_OK;
}

/* ---- network: replayed only ---- */

int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port) {
  (void)transport; (void)host; (void)host_len; (void)port;
  if (!ct_replay_active()) return HAL_EIO;
  ct_tr_expect(TR_OPEN, "hal_net_open");
  return ct_tr_i32();
}

int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len) {
  if (!ct_replay_active()) return HAL_EIO;
  ct_tr_expect(TR_SEND, "hal_net_send");
  expect_i32(handle, "hal_net_send handle");
  int32_t result = ct_tr_i32();
  expect_i32((int32_t)data_len, "hal_net_send length");
  /* What goes on the wire is public: compared on a declassified copy. */
  if (!ct_tr_same_public(data, ct_tr_bytes(data_len), data_len)) ct_tr_diverged("hal_net_send: other bytes than recorded");
  return result;
}

int32_t hal_net_close(int32_t handle) {
  if (!ct_replay_active()) return HAL_ENOENT;
  ct_tr_expect(TR_CLOSE, "hal_net_close");
  expect_i32(handle, "hal_net_close handle");
  return ct_tr_i32();
}

/* ---- storage: an in-memory table (SimHal's semantics) ---- */

#define STORE_SLOTS 64
#define STORE_KEY_MAX 16
#define STORE_VALUE_MAX 1536

static struct {
  int used;
  uint32_t key_len, value_len;
  uint8_t key[STORE_KEY_MAX];
  uint8_t value[STORE_VALUE_MAX];
} store[STORE_SLOTS];

static int slot_of(const uint8_t *key, uint32_t key_len) {
  for (int i = 0; i < STORE_SLOTS; i++) {
    if (store[i].used && store[i].key_len == key_len && memcmp(store[i].key, key, key_len) == 0) return i;
  }
  return -1;
}

static int key_is(const uint8_t *key, uint32_t key_len, const char *name) {
  return key_len == strlen(name) && memcmp(key, name, key_len) == 0;
}

/** The secret parts of a value just read (firmware/protocol/store.ts, conf.ts): undefined from here on. */
static void mark_secrets(const uint8_t *key, uint32_t key_len, uint8_t *value, uint32_t len) {
  if (key_is(key, key_len, "sl.id")) VALGRIND_MAKE_MEM_UNDEFINED(value, len);          /* Ed25519 seed */
  else if (key_is(key, key_len, "sl.claim") && len >= 64) VALGRIND_MAKE_MEM_UNDEFINED(value + 32, 32); /* claim psk */
  else if (key_is(key, key_len, "sl.enr") && len >= 96) VALGRIND_MAKE_MEM_UNDEFINED(value + 32, 64);  /* device psk, admission key */
}

int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len) {
  int i = slot_of(key, key_len);
  int32_t result;
  if (i < 0) result = HAL_ENOENT;
  else if (store[i].value_len > out_len) result = HAL_EINVAL;
  else {
    memcpy(out, store[i].value, store[i].value_len); /* copies definedness too */
    mark_secrets(key, key_len, out, store[i].value_len);
    result = (int32_t)store[i].value_len;
  }
  if (ct_replay_active()) {
    ct_tr_expect(TR_GET, "hal_storage_get");
    expect_key(key, key_len, "hal_storage_get key");
    expect_i32(result, "hal_storage_get result");
  }
  return result;
}

int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len) {
  int32_t result = HAL_OK;
  int i = slot_of(key, key_len);
  for (int j = 0; i < 0 && j < STORE_SLOTS; j++) if (!store[j].used) i = j;
  if (i < 0 || key_len > STORE_KEY_MAX || value_len > STORE_VALUE_MAX) result = HAL_ENOSPC;
  else {
    store[i].used = 1;
    store[i].key_len = key_len;
    memcpy(store[i].key, key, key_len);
    store[i].value_len = value_len;
    memcpy(store[i].value, value, value_len);
  }
  if (ct_replay_active()) {
    ct_tr_expect(TR_PUT, "hal_storage_put");
    expect_key(key, key_len, "hal_storage_put key");
    expect_i32(result, "hal_storage_put result");
  }
  return result;
}

int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len) {
  int i = slot_of(key, key_len);
  if (i >= 0) store[i].used = 0;
  if (ct_replay_active()) {
    ct_tr_expect(TR_DELETE, "hal_storage_delete");
    expect_key(key, key_len, "hal_storage_delete key");
    expect_i32(HAL_OK, "hal_storage_delete result");
  }
  return HAL_OK;
}

int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len) {
  (void)feed; (void)body; (void)body_len;
  return HAL_OK;
}

/* ---- accelerators: none ---- */

int32_t hal_capabilities(void) { return 0; }

int32_t hal_accel_x25519(uint8_t *out, uint32_t out_len, const uint8_t *scalar, uint32_t scalar_len,
                         const uint8_t *u, uint32_t u_len) {
  (void)out; (void)out_len; (void)scalar; (void)scalar_len; (void)u; (void)u_len;
  return HAL_ENOTSUP;
}

int32_t hal_accel_aead_seal(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *pt, uint32_t pt_len,
                            uint8_t *out, uint32_t out_len) {
  (void)key; (void)key_len; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len;
  (void)pt; (void)pt_len; (void)out; (void)out_len;
  return HAL_ENOTSUP;
}

int32_t hal_accel_aead_open(const uint8_t *key, uint32_t key_len, const uint8_t *nonce, uint32_t nonce_len,
                            const uint8_t *aad, uint32_t aad_len, const uint8_t *ct, uint32_t ct_len,
                            uint8_t *out, uint32_t out_len) {
  (void)key; (void)key_len; (void)nonce; (void)nonce_len; (void)aad; (void)aad_len;
  (void)ct; (void)ct_len; (void)out; (void)out_len;
  return HAL_ENOTSUP;
}

int32_t hal_accel_sha256(const uint8_t *data, uint32_t data_len, uint8_t *out, uint32_t out_len) {
  (void)data; (void)data_len; (void)out; (void)out_len;
  return HAL_ENOTSUP;
}

int32_t hal_accel_aes256_block(const uint8_t *key, uint32_t key_len, const uint8_t *block, uint32_t block_len,
                               uint8_t *out, uint32_t out_len) {
  (void)key; (void)key_len; (void)block; (void)block_len; (void)out; (void)out_len;
  return HAL_ENOTSUP;
}
