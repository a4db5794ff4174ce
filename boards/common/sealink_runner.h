/*
 * The sealink core under WAMR, for every board that runs it that way
 * (esp32-devkitc, nrf52840dk). boards/host runs the core through wasm2c and
 * implements the calls the console makes in boards/host/board_runner.c. It owns the runtime, the module instance and
 * the calls into the core's entry points; the board owns the loop:
 *
 *   sealink_runner_start(&cfg);
 *   for (;;) { wait = sealink_runner_step(); wait for a socket up to wait ms;
 *              sealink_runner_receive(handle, read, ctx); }
 *
 * Zero allocation outside the pool the board hands in (or, with no pool, the
 * platform allocator): WAMR allocates the runtime, the module, the instance
 * (with its linear memory, shrunk to __heap_base: docs/memory.md) and the
 * execution stack from it; nothing after start.
 * Not thread-safe: one task runs the core.
 */
#ifndef SEALINK_RUNNER_H
#define SEALINK_RUNNER_H

#include <stdint.h>

/** The core trapped (a bug): the instance is unusable; log the reason and reboot. */
#define SEALINK_RUNNER_TRAP (-100)
/** sealink_runner_start failed (see sealink_runner_error). */
#define SEALINK_RUNNER_EINIT (-101)

/** Size of the status record fw_status writes (firmware/protocol/status.ts). */
#define SEALINK_STATUS_BYTES 104u
/** Offsets in it the boards read (little-endian). */
#define SEALINK_STATUS_STATE 0u        /* u8: 0 unenrolled, 1 enrolling, 2 connecting, 3 established */
#define SEALINK_STATUS_ERROR 4u        /* i32: last error, firmware/protocol/status.ts ERR_* */
#define SEALINK_STATUS_QUEUED 8u       /* u32: DATA items not yet acknowledged */
#define SEALINK_STATUS_ACKED 64u       /* u32: DATA items the relay acknowledged */
#define SEALINK_STATUS_EPOCH 84u       /* u32: the open reading epoch, or the last closed one */
#define SEALINK_STATUS_NEXT_SEQ 88u    /* u64: the sequence number the next reading gets */
/** The most payload one reading carries (one DATA body less the READING overhead, docs/readings.md). */
#define SEALINK_READING_MAX_BYTES 1362u

struct sealink_runner_config {
    /** The release .wasm (fast/classic interpreter) or its wamrc .aot (AOT build), e.g. in flash. */
    const uint8_t *module;
    uint32_t module_len;
    /**
     * WAMR's heap pool: runtime, module, instance and stack come from here.
     * NULL: WAMR uses the platform allocator (os_malloc) instead.
     */
    void *pool;
    uint32_t pool_len;
    /** WAMR execution stack (interpreter frames or AOT native frames) in bytes. */
    uint32_t stack_bytes;
};

/** Reads what one socket has waiting into buf (at most cap bytes): > 0 bytes, 0 nothing, < 0 closed/failed. */
typedef int32_t (*sealink_read_fn)(void *ctx, int32_t handle, uint8_t *buf, uint32_t cap);

/** Boots WAMR and the core (fw_init). HAL_OK, a negative HAL status from fw_init, or SEALINK_RUNNER_*. */
int32_t sealink_runner_start(const struct sealink_runner_config *cfg);

/** fw_step: runs due timers; returns the ms until the core wants to run again (>= 0), or SEALINK_RUNNER_TRAP. */
int32_t sealink_runner_step(void);

/**
 * Hands what handle has waiting to the core: asks fw_rx_ptr/fw_rx_bytes before
 * every read (the window moves during TCP reassembly), reads with read(), calls
 * fw_on_packet. At most max_reads reads. Returns the last read's result
 * (< 0: the socket closed or failed), or SEALINK_RUNNER_TRAP.
 */
int32_t sealink_runner_receive(int32_t handle, sealink_read_fn read, void *ctx, uint32_t max_reads);

/** fw_enroll with a binary claim bundle (docs/protocol.md §3); the copy in the core's buffer is wiped. */
int32_t sealink_runner_enroll(const uint8_t *bundle, uint32_t len);

/**
 * fw_send: queues one raw DATA item (kept until the relay acknowledges it).
 * Not sealed: the relay app stores only sealed records and drops anything
 * else, so sensor data goes through sealink_runner_reading.
 */
int32_t sealink_runner_send(const uint8_t *data, uint32_t len);

/**
 * fw_reading: seals len <= SEALINK_READING_MAX_BYTES bytes as the next READING
 * of feed (0..0xffff) to the owner named by the claim, opening and closing
 * epochs as needed, and queues the records (kept until the relay
 * acknowledges them; docs/readings.md "On the device"). HAL_OK; HAL_EINVAL
 * before enrollment completes or for a bad feed/length; HAL_ENOSPC when the
 * queue is full (nothing changes); a storage/RNG status; or SEALINK_RUNNER_TRAP.
 */
int32_t sealink_runner_reading(uint32_t feed, const uint8_t *data, uint32_t len);

/** fw_status into out. */
int32_t sealink_runner_status(uint8_t out[SEALINK_STATUS_BYTES]);

/** fw_public_key: the device's Ed25519 public key. */
int32_t sealink_runner_public_key(uint8_t out[32]);

/** What went wrong in start, or the trap message; "" when nothing did. */
const char *sealink_runner_error(void);

/** Peak use of WAMR's pool so far (bytes), for the board's budget log; 0 without a pool. */
uint32_t sealink_runner_pool_highmark(void);

#endif /* SEALINK_RUNNER_H */
