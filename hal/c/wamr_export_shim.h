/* GENERATED from hal/contract.json by scripts/gen-hal.ts — do not edit. */

/*
 * The two declarations of WAMR's wasm_export.h that sealink_wamr_natives.c uses,
 * for compile checks where WAMR is not installed. Each is skipped when the real
 * header (guard _WASM_EXPORT_H, NativeSymbol from lib_export.h) came first.
 */
#ifndef SEALINK_WAMR_EXPORT_SHIM_H
#define SEALINK_WAMR_EXPORT_SHIM_H

#ifndef _WASM_EXPORT_H
#ifndef _LIB_EXPORT_H_
typedef struct NativeSymbol {
    const char *symbol;
    void *func_ptr;
    const char *signature;
    void *attachment;
} NativeSymbol;
#endif
struct WASMExecEnv;
typedef struct WASMExecEnv *wasm_exec_env_t;
#endif

#endif /* SEALINK_WAMR_EXPORT_SHIM_H */
