/*
 * The part of WAMR's wasm_export.h (2.x, pinned in the board projects) that
 * sealink_runner.c uses, copied declaration for declaration so the runner
 * compiles where WAMR is not installed (the Cortex-M4 compile check in CI).
 * Skipped whenever the real header came first (_WASM_EXPORT_H), which is
 * always the case in a board build.
 */
#ifndef SEALINK_WAMR_RUNTIME_SHIM_H
#define SEALINK_WAMR_RUNTIME_SHIM_H

#ifndef _WASM_EXPORT_H
#include <stdbool.h>
#include <stdint.h>
#include "wamr_export_shim.h"

struct WASMModuleCommon;
typedef struct WASMModuleCommon *wasm_module_t;
struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon *wasm_module_inst_t;
typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon *wasm_function_inst_t;

typedef enum { Alloc_With_Pool = 0, Alloc_With_Allocator, Alloc_With_System_Allocator } mem_alloc_type_t;
typedef union MemAllocOption {
    struct { void *heap_buf; uint32_t heap_size; } pool;
    struct { void *malloc_func; void *realloc_func; void *free_func; void *user_data; } allocator;
} MemAllocOption;
typedef struct mem_alloc_info_t { uint32_t total_size; uint32_t total_free_size; uint32_t highmark_size; } mem_alloc_info_t;
typedef enum RunningMode { Mode_Interp = 1, Mode_Fast_JIT, Mode_LLVM_JIT, Mode_Multi_Tier_JIT } RunningMode;
typedef struct RuntimeInitArgs {
    mem_alloc_type_t mem_alloc_type;
    MemAllocOption mem_alloc_option;
    const char *native_module_name;
    NativeSymbol *native_symbols;
    uint32_t n_native_symbols;
    uint32_t max_thread_num;
    char ip_addr[128];
    int unused;
    int instance_port;
    uint32_t fast_jit_code_cache_size;
    uint32_t gc_heap_size;
    RunningMode running_mode;
    uint32_t llvm_jit_opt_level;
    uint32_t llvm_jit_size_level;
    uint32_t segue_flags;
    bool enable_linux_perf;
} RuntimeInitArgs;
typedef struct LoadArgs {
    char *name;
    bool clone_wasm_binary;
    bool wasm_binary_freeable;
    bool no_resolve;
} LoadArgs;

bool wasm_runtime_full_init(RuntimeInitArgs *init_args);
void wasm_runtime_destroy(void);
void *wasm_runtime_malloc(unsigned int size);
void wasm_runtime_free(void *ptr);
bool wasm_runtime_get_mem_alloc_info(mem_alloc_info_t *mem_alloc_info);
wasm_module_t wasm_runtime_load_ex(uint8_t *buf, uint32_t size, const LoadArgs *args, char *error_buf,
                                   uint32_t error_buf_size);
void wasm_runtime_unload(wasm_module_t module);
wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module, uint32_t default_stack_size,
                                            uint32_t host_managed_heap_size, char *error_buf,
                                            uint32_t error_buf_size);
void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);
wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t module_inst, const char *name);
wasm_exec_env_t wasm_runtime_create_exec_env(wasm_module_inst_t module_inst, uint32_t stack_size);
void wasm_runtime_destroy_exec_env(wasm_exec_env_t exec_env);
bool wasm_runtime_call_wasm(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t argc,
                            uint32_t argv[]);
const char *wasm_runtime_get_exception(wasm_module_inst_t module_inst);
bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst, uint64_t app_offset, uint64_t size);
void *wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst, uint64_t app_offset);
#endif /* _WASM_EXPORT_H */

#endif /* SEALINK_WAMR_RUNTIME_SHIM_H */
