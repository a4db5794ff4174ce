/*
 * main() of the ctgrind harness: ./harness SEED [CASE...]
 * Instantiates the module, runs the named cases (all by default) and prints
 * "cases N" (how many it has), then one line per case run: "case NAME ok CALLS"
 * or "case NAME trap CODE". A trap is
 * caught (wasm2c longjmps out of the module) so the other cases still run.
 * Exit 0, or 2 when a functional check failed; valgrind's own errors are
 * judged by test/ctgrind.test.ts from its XML report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasm-rt-impl.h"
#include "harness.h"

static Z_sealink_instance_t instance;
Z_sealink_instance_t *ct_core = &instance;
uint8_t *ct_io;
uint32_t ct_io_bytes;

static uint64_t rng_state;

/* xorshift64*: inputs only need to vary, not to be unpredictable. */
static uint8_t next_byte(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint8_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 56);
}

void ct_random(uint32_t off, uint32_t len) {
  ct_expect(off <= ct_io_bytes && len <= ct_io_bytes - off, "case range inside the exchange buffer");
  for (uint32_t i = 0; i < len; i++) ct_io[off + i] = next_byte();
}

void ct_secret(uint32_t off, uint32_t len) {
  VALGRIND_MAKE_MEM_UNDEFINED(ct_io + off, len);
}

uint32_t ct_public(uint32_t value) {
  VALGRIND_MAKE_MEM_DEFINED(&value, sizeof value);
  return value;
}

void ct_expect_secret(uint32_t off, uint32_t len, const char *what) {
  static uint8_t vbits[8192];
  ct_expect(len <= sizeof vbits, "ct_expect_secret length");
  if (VALGRIND_GET_VBITS(ct_io + off, vbits, len) != 1) return;
  int any = 0;
  for (uint32_t i = 0; i < len; i++) any |= vbits[i] != 0;
  if (!any) {
    printf("FAILED: %s: result does not depend on the marked secrets\n", what);
    fflush(stdout);
    exit(2);
  }
}

void ct_expect(int ok, const char *what) {
  if (!ok) {
    printf("FAILED: %s\n", what);
    fflush(stdout);
    exit(2);
  }
}

static const char *trap_name(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return "out-of-bounds";
    case WASM_RT_TRAP_INT_OVERFLOW: return "int-overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "div-by-zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid-conversion";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable";
    case WASM_RT_TRAP_CALL_INDIRECT: return "call-indirect";
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
    case WASM_RT_TRAP_EXHAUSTION: return "exhaustion";
#endif
    default: return "other";
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s SEED [CASE...]\n", argv[0]);
    return 64;
  }
  rng_state = strtoull(argv[1], NULL, 0) | 1;
  printf("seed %s\ncases %u\n", argv[1], ct_case_count);
  sealink_core_open(ct_core);
  wasm_rt_memory_t *mem = Z_sealinkZ_memory(ct_core);
  uint32_t io_ptr = Z_sealinkZ_fw_io_ptr(ct_core);
  ct_io_bytes = Z_sealinkZ_fw_io_bytes(ct_core);
  ct_expect((uint64_t)io_ptr + ct_io_bytes <= mem->size, "exchange buffer inside linear memory");
  ct_io = mem->data + io_ptr;

  for (unsigned i = 0; i < ct_case_count; i++) {
    const ct_case *c = &ct_cases[i];
    int wanted = argc == 2;
    for (int a = 2; a < argc; a++) wanted |= strcmp(argv[a], c->name) == 0;
    if (!wanted) continue;
    memset(ct_io, 0, ct_io_bytes);
    int trap = wasm_rt_impl_try();
    if (trap == 0) {
      unsigned calls = c->run();
      printf("case %s ok %u\n", c->name, calls);
    } else {
      printf("case %s trap %s\n", c->name, trap_name(trap));
    }
    fflush(stdout);
  }
  sealink_core_close(ct_core);
  return 0;
}
