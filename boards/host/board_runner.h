/*
 * The host board runs the core through wasm2c, not WAMR, so it does not link
 * boards/common/sealink_runner.c. board_runner.c implements the part of
 * sealink_runner.h the shared console calls (enroll, reading, send, status,
 * public key) over the wasm2c instance, so the host's `--console` runs the very
 * console code the microcontrollers do.
 */
#ifndef BOARD_RUNNER_H
#define BOARD_RUNNER_H

#include <stdint.h>

struct Z_sealink_instance_t;

/** The instance the sealink_runner_* calls use; call once after sealink_core_open. */
void board_runner_bind(struct Z_sealink_instance_t *core);

/** addr..addr+len in the core's linear memory; exits (status 2) when the core names a buffer outside it. */
uint8_t *board_runner_mem(uint32_t addr, uint32_t len);

#endif /* BOARD_RUNNER_H */
