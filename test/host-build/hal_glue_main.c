/*
 * Drives a module that imports every function of hal/contract.json (built by
 * test/host-build.test.ts) through the generated glue: a call with buffers in
 * range reaches the board, a buffer shorter than the contract's minimum gets
 * HAL_EINVAL, a buffer outside linear memory traps.
 */
#include <stdio.h>
#include "wasm-rt-impl.h"
#include "sealink_host.h"

int main(void) {
  static Z_sealink_instance_t m;
  sealink_core_open(&m);
  printf("rng %d\n", (int)Z_sealinkZ_rng(&m, 0, 16));
  printf("caps %d\n", (int)Z_sealinkZ_caps(&m));
  printf("clock_short %d\n", (int)Z_sealinkZ_clock(&m, 0, 4));
  printf("clock %d\n", (int)Z_sealinkZ_clock(&m, 0, 8));
  int trap = wasm_rt_impl_try();
  if (trap == 0) {
    printf("rng_outside %d\n", (int)Z_sealinkZ_rng(&m, 65530, 16));
  } else {
    printf("rng_outside trap%s\n", trap == WASM_RT_TRAP_OOB ? " oob" : "");
  }
  sealink_core_close(&m);
  return 0;
}
