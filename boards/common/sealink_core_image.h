/*
 * CORE_IMAGE, the core a WAMR board loads, chosen by the board's Kconfig:
 * wamrc's AOT image when CONFIG_SEALINK_RUN_AOT, else the release .wasm. Both
 * are C arrays that `npx sealink firmware build` stages into sealink/.
 * Include it where the board's Kconfig values are visible (after sdkconfig.h
 * on ESP-IDF; Zephyr's autoconf.h is always in scope).
 */
#ifndef SEALINK_CORE_IMAGE_H
#define SEALINK_CORE_IMAGE_H

#if CONFIG_SEALINK_RUN_AOT
#if !__has_include("sealink_core_aot.h")
#error "AOT mode needs sealink/sealink_core_aot.h: put wamrc on PATH and rerun npx sealink firmware build"
#endif
#include "sealink_core_aot.h"      /* sealink_core_aot[]: wamrc's output (npx sealink firmware build) */
#define CORE_IMAGE sealink_core_aot
#else
#include "sealink_core_wasm.h"     /* sealink_core_wasm[]: the release .wasm */
#define CORE_IMAGE sealink_core_wasm
#endif

#endif /* SEALINK_CORE_IMAGE_H */
