/*
 * The sealink core under WAMR (sealink_runner.h). Board-independent: only
 * WAMR's embedding API and the generated HAL glue; no libc.
 */
#include <stdint.h>
#include <stddef.h>
#if defined(__has_include)
#if __has_include("wasm_export.h")
#include "wasm_export.h"
#endif
#endif
#include "wamr_runtime_shim.h"
#include "sealink_hal.h"
#include "sealink_runner.h"

enum { F_INIT, F_STEP, F_RX_PTR, F_RX_BYTES, F_ON_PACKET, F_ENROLL, F_SEND, F_READING, F_STATUS, F_PUBLIC_KEY,
       F_IO_PTR, F_IO_BYTES, F_COUNT };
/* The protocol entry points of hal/contract.json the board drives. */
static const char *const EXPORT_NAMES[F_COUNT] = {
    "fw_init", "fw_step", "fw_rx_ptr", "fw_rx_bytes", "fw_on_packet", "fw_enroll", "fw_send",
    "fw_reading", "fw_status", "fw_public_key", "fw_io_ptr", "fw_io_bytes",
};

static struct {
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t fn[F_COUNT];
    uint32_t io;       /* exchange buffer (app address) */
    uint32_t io_bytes;
    int trapped;
    char error[128];
} rt;

static void set_error(const char *a, const char *b)
{
    uint32_t n = 0;
    for (const char *s = a; s && *s && n < sizeof rt.error - 1; s++) rt.error[n++] = *s;
    for (const char *s = b; s && *s && n < sizeof rt.error - 1; s++) rt.error[n++] = *s;
    rt.error[n] = '\0';
}

static void copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) dst[i] = src[i];
}

/* Wipes through a volatile pointer so the compiler cannot drop it. */
static void wipe(uint8_t *p, uint32_t n)
{
    volatile uint8_t *v = p;
    for (uint32_t i = 0; i < n; i++) v[i] = 0;
}

/* Calls an entry point; argv[0] holds the i32 result afterwards. */
static int call(int f, uint32_t argc, uint32_t argv[])
{
    if (rt.trapped || rt.fn[f] == NULL) return 0;
    if (!wasm_runtime_call_wasm(rt.env, rt.fn[f], argc, argv)) {
        rt.trapped = 1;
        set_error("core trapped: ", wasm_runtime_get_exception(rt.inst));
        return 0;
    }
    return 1;
}

static uint8_t *native(uint32_t app, uint32_t len)
{
    if (!wasm_runtime_validate_app_addr(rt.inst, app, len)) return NULL;
    return (uint8_t *)wasm_runtime_addr_app_to_native(rt.inst, app);
}

static uint8_t *io_at(uint32_t len)
{
    return len <= rt.io_bytes ? native(rt.io, len) : NULL;
}

int32_t sealink_runner_start(const struct sealink_runner_config *cfg)
{
    static char err[128];
    RuntimeInitArgs init;
    NativeSymbol *natives;
    uint32_t argv[2];

    wipe((uint8_t *)&init, sizeof init);
    if (cfg->pool != NULL) {
        init.mem_alloc_type = Alloc_With_Pool;
        init.mem_alloc_option.pool.heap_buf = cfg->pool;
        init.mem_alloc_option.pool.heap_size = cfg->pool_len;
    } else {
        /* The platform's allocator (os_malloc): for heaps split into regions,
         * such as the ESP32's, where one large static pool may not fit. */
        init.mem_alloc_type = Alloc_With_System_Allocator;
    }
    init.native_module_name = SEALINK_HAL_MODULE;
    init.n_native_symbols = sealink_hal_native_symbols((struct NativeSymbol **)&natives);
    init.native_symbols = natives;
    if (!wasm_runtime_full_init(&init)) {
        set_error("wasm_runtime_full_init failed (pool too small?)", NULL);
        return SEALINK_RUNNER_EINIT;
    }
    /* The loader may rewrite the buffer it is given, and the module usually
     * sits in flash: load from a RAM copy, which wasm_binary_freeable lets us
     * release as soon as loading is done. */
    uint8_t *copy = (uint8_t *)wasm_runtime_malloc(cfg->module_len);
    if (copy == NULL) {
        set_error("no room in the WAMR pool for the module image", NULL);
        return SEALINK_RUNNER_EINIT;
    }
    copy_bytes(copy, cfg->module, cfg->module_len);
    LoadArgs load;
    wipe((uint8_t *)&load, sizeof load);
    load.name = (char *)"sealink";
    load.wasm_binary_freeable = true;
    rt.module = wasm_runtime_load_ex(copy, cfg->module_len, &load, err, sizeof err);
    wasm_runtime_free(copy);
    if (rt.module == NULL) {
        set_error("load: ", err);
        return SEALINK_RUNNER_EINIT;
    }
    /* No app heap: the core allocates nothing (docs/memory.md). */
    rt.inst = wasm_runtime_instantiate(rt.module, cfg->stack_bytes, 0, err, sizeof err);
    if (rt.inst == NULL) {
        set_error("instantiate: ", err);
        return SEALINK_RUNNER_EINIT;
    }
    rt.env = wasm_runtime_create_exec_env(rt.inst, cfg->stack_bytes);
    if (rt.env == NULL) {
        set_error("create_exec_env failed (stack_bytes too large for the pool?)", NULL);
        return SEALINK_RUNNER_EINIT;
    }
    for (int f = 0; f < F_COUNT; f++) {
        rt.fn[f] = wasm_runtime_lookup_function(rt.inst, EXPORT_NAMES[f]);
        if (rt.fn[f] == NULL) {
            set_error("the module does not export ", EXPORT_NAMES[f]);
            return SEALINK_RUNNER_EINIT;
        }
    }
    if (!call(F_IO_PTR, 0, argv)) return SEALINK_RUNNER_TRAP;
    rt.io = argv[0];
    if (!call(F_IO_BYTES, 0, argv)) return SEALINK_RUNNER_TRAP;
    rt.io_bytes = argv[0];
    if (native(rt.io, rt.io_bytes) == NULL) {
        set_error("the exchange buffer lies outside linear memory", NULL);
        return SEALINK_RUNNER_EINIT;
    }
    if (!call(F_INIT, 0, argv)) return SEALINK_RUNNER_TRAP;
    return (int32_t)argv[0];
}

int32_t sealink_runner_step(void)
{
    uint32_t argv[1];
    if (!call(F_STEP, 0, argv)) return SEALINK_RUNNER_TRAP;
    int32_t wait = (int32_t)argv[0];
    return wait < 0 ? 0 : wait;
}

int32_t sealink_runner_receive(int32_t handle, sealink_read_fn read, void *ctx, uint32_t max_reads)
{
    uint32_t argv[2];
    int32_t got = 0;
    for (uint32_t i = 0; i < max_reads; i++) {
        if (!call(F_RX_PTR, 0, argv)) return SEALINK_RUNNER_TRAP;
        uint32_t rx = argv[0];
        if (!call(F_RX_BYTES, 0, argv)) return SEALINK_RUNNER_TRAP;
        uint32_t cap = argv[0];
        uint8_t *buf = native(rx, cap);
        if (buf == NULL || cap == 0) return HAL_EINVAL;
        got = read(ctx, handle, buf, cap);
        if (got <= 0) return got;
        if ((uint32_t)got > cap) return HAL_EINVAL;
        argv[0] = (uint32_t)handle;
        argv[1] = (uint32_t)got;
        if (!call(F_ON_PACKET, 2, argv)) return SEALINK_RUNNER_TRAP;
    }
    return got;
}

/* Copies data to the exchange buffer and calls f(off 0, len), or f(feed, off 0, len) with has_feed. */
static int32_t call_with_io(int f, int has_feed, uint32_t feed, const uint8_t *data, uint32_t len)
{
    uint32_t argv[3] = { feed, 0, len };
    uint32_t *args = has_feed ? argv : argv + 1;
    uint8_t *io = io_at(len);
    if (io == NULL) return HAL_EINVAL;
    copy_bytes(io, data, len);
    int ok = call(f, has_feed ? 3u : 2u, args);
    wipe(io, len);
    return ok ? (int32_t)args[0] : SEALINK_RUNNER_TRAP;
}

int32_t sealink_runner_enroll(const uint8_t *bundle, uint32_t len)
{
    return call_with_io(F_ENROLL, 0, 0, bundle, len);
}

int32_t sealink_runner_send(const uint8_t *data, uint32_t len)
{
    return call_with_io(F_SEND, 0, 0, data, len);
}

int32_t sealink_runner_reading(uint32_t feed, const uint8_t *data, uint32_t len)
{
    /* fw_reading checks feed and len itself (HAL_EINVAL, nothing queued). */
    return call_with_io(F_READING, 1, feed, data, len);
}

static int32_t call_out(int f, uint8_t *out, uint32_t len)
{
    uint32_t argv[1] = { 0 };
    uint8_t *io = io_at(len);
    if (io == NULL) return HAL_EINVAL;
    if (!call(f, 1, argv)) return SEALINK_RUNNER_TRAP;
    if ((int32_t)argv[0] == HAL_OK) copy_bytes(out, io, len);
    wipe(io, len);
    return (int32_t)argv[0];
}

int32_t sealink_runner_status(uint8_t out[SEALINK_STATUS_BYTES])
{
    return call_out(F_STATUS, out, SEALINK_STATUS_BYTES);
}

int32_t sealink_runner_public_key(uint8_t out[32])
{
    return call_out(F_PUBLIC_KEY, out, 32);
}

const char *sealink_runner_error(void)
{
    return rt.error;
}

uint32_t sealink_runner_pool_highmark(void)
{
    mem_alloc_info_t info;
    return wasm_runtime_get_mem_alloc_info(&info) ? info.highmark_size : 0;
}
