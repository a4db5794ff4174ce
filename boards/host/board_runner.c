/*
 * sealink_runner.h over the wasm2c core (board_runner.h): each call copies its
 * input into the core's exchange buffer (fw_io_ptr, fw_io_bytes), calls the
 * entry point with offset 0, and wipes what it copied (a claim bundle holds
 * the secret claim token). A trap longjmps to main's wasm_rt_impl_try.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sealink_host.h"
#include "sealink_hal.h"
#include "sealink_runner.h"
#include "board_runner.h"

static Z_sealink_instance_t *core;

void board_runner_bind(struct Z_sealink_instance_t *c)
{
    core = c;
}

uint8_t *board_runner_mem(uint32_t addr, uint32_t len)
{
    wasm_rt_memory_t *m = Z_sealinkZ_memory(core);
    if ((uint64_t)addr + len > m->size) {
        fprintf(stderr, "sealink-host: the core named a buffer outside its memory (%u+%u)\n", addr, len);
        exit(2);
    }
    return m->data + addr;
}

static uint8_t *io_buf(uint32_t len)
{
    if (core == NULL || len > Z_sealinkZ_fw_io_bytes(core)) return NULL;
    return board_runner_mem(Z_sealinkZ_fw_io_ptr(core), len);
}

/* An export taking (off, len) of bytes placed at the start of the exchange buffer, wiped after. */
static int32_t call_in(u32 (*fn)(Z_sealink_instance_t *, u32, u32), const uint8_t *data, uint32_t len)
{
    uint8_t *io = io_buf(len);
    if (io == NULL) return HAL_EINVAL;
    memcpy(io, data, len);
    int32_t st = (int32_t)fn(core, 0, len);
    memset(io, 0, len);
    return st;
}

int32_t sealink_runner_enroll(const uint8_t *bundle, uint32_t len)
{
    return call_in(Z_sealinkZ_fw_enroll, bundle, len);
}

int32_t sealink_runner_send(const uint8_t *data, uint32_t len)
{
    return call_in(Z_sealinkZ_fw_send, data, len);
}

int32_t sealink_runner_reading(uint32_t feed, const uint8_t *data, uint32_t len)
{
    uint8_t *io = io_buf(len);
    if (io == NULL) return HAL_EINVAL;
    memcpy(io, data, len);
    int32_t st = (int32_t)Z_sealinkZ_fw_reading(core, feed, 0, len);
    memset(io, 0, len);
    return st;
}

static int32_t call_out(u32 (*fn)(Z_sealink_instance_t *, u32), uint8_t *out, uint32_t len)
{
    uint8_t *io = io_buf(len);
    if (io == NULL) return HAL_EINVAL;
    int32_t st = (int32_t)fn(core, 0);
    if (st == HAL_OK) memcpy(out, io, len);
    memset(io, 0, len);
    return st;
}

int32_t sealink_runner_status(uint8_t out[SEALINK_STATUS_BYTES])
{
    return call_out(Z_sealinkZ_fw_status, out, SEALINK_STATUS_BYTES);
}

int32_t sealink_runner_public_key(uint8_t out[32])
{
    return call_out(Z_sealinkZ_fw_public_key, out, 32);
}
