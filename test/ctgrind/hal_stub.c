/*
 * The HAL of hal/c/sealink_hal.h for the ctgrind harness only (the real host
 * board HAL lives in boards/host/). No accelerators, so the core runs its own
 * crypto, which is what is under test. Random bytes are secrets (ephemeral
 * keys, nonces of sealed readings), so hal_rng_fill marks its output undefined
 * for memcheck. Everything else answers "nothing here".
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "sealink_hal.h"

static uint64_t stub_rng = 0x5eed5eed5eed5eedULL;

int32_t hal_clock_now_ms(uint8_t *out, uint32_t out_len) {
  memset(out, 0, out_len);
  return HAL_OK;
}

int32_t hal_rng_fill(uint8_t *out, uint32_t out_len) {
  for (uint32_t i = 0; i < out_len; i++) {
    stub_rng = stub_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    out[i] = (uint8_t)(stub_rng >> 56);
  }
  VALGRIND_MAKE_MEM_UNDEFINED(out, out_len);
  return HAL_OK;
}

int32_t hal_log(int32_t level, const uint8_t *message, uint32_t message_len) {
  fprintf(stderr, "hal_log %d: %.*s\n", level, (int)message_len, (const char *)message);
  return HAL_OK;
}

int32_t hal_net_open(int32_t transport, const uint8_t *host, uint32_t host_len, int32_t port) {
  (void)transport; (void)host; (void)host_len; (void)port;
  return HAL_EIO;
}
int32_t hal_net_send(int32_t handle, const uint8_t *data, uint32_t data_len) {
  (void)handle; (void)data; (void)data_len;
  return HAL_EIO;
}
int32_t hal_net_close(int32_t handle) { (void)handle; return HAL_ENOENT; }

int32_t hal_storage_get(const uint8_t *key, uint32_t key_len, uint8_t *out, uint32_t out_len) {
  (void)key; (void)key_len; (void)out; (void)out_len;
  return HAL_ENOENT;
}
int32_t hal_storage_put(const uint8_t *key, uint32_t key_len, const uint8_t *value, uint32_t value_len) {
  (void)key; (void)key_len; (void)value; (void)value_len;
  return HAL_ENOSPC;
}
int32_t hal_storage_delete(const uint8_t *key, uint32_t key_len) { (void)key; (void)key_len; return HAL_OK; }

int32_t hal_control_deliver(int32_t feed, const uint8_t *body, uint32_t body_len) {
  (void)feed; (void)body; (void)body_len;
  return HAL_OK;
}

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
