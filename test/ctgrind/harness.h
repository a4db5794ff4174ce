/*
 * ctgrind harness (test/ctgrind.test.ts): runs entry points of a wasm2c-built
 * module under valgrind memcheck with the secret inputs marked undefined, the
 * technique of Adam Langley's ctgrind as used by Monocypher and BoringSSL.
 * Memcheck then reports every conditional jump, conditional move and memory
 * address that depends on a secret. Cases live in core_cases.c (the sealink
 * core) and fixture_cases.c (deliberately leaky code that must be caught).
 */
#ifndef CTGRIND_HARNESS_H
#define CTGRIND_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <valgrind/memcheck.h>
#include "sealink_host.h"

/** The module instance and its exchange buffer (fw_io_ptr) as a host pointer. */
extern Z_sealink_instance_t *ct_core;
extern uint8_t *ct_io;
extern uint32_t ct_io_bytes;

/** Fills io[off, off + len) from the seeded generator (defined bytes). */
void ct_random(uint32_t off, uint32_t len);
/** Marks io[off, off + len) secret: memcheck treats it as undefined from here on. */
void ct_secret(uint32_t off, uint32_t len);
/**
 * Declassifies a value the protocol makes public anyway (an authentication
 * verdict): the harness may then branch on it. Each use is explained where it
 * is made.
 */
uint32_t ct_public(uint32_t value);
/**
 * Checks that a result depends on the secrets (memcheck sees some of its
 * bytes undefined): proof that the marked secrets reached the code under
 * test. A no-op when not running under valgrind.
 */
void ct_expect_secret(uint32_t off, uint32_t len, const char *what);
/** Fails the run (exit 2) with a message when `ok` is false; `ok` must be public. */
void ct_expect(int ok, const char *what);

/** One case: runs its entry point a few times and returns how many calls it made. */
typedef struct {
  const char *name;
  unsigned (*run)(void);
} ct_case;

extern const ct_case ct_cases[];
extern const unsigned ct_case_count;

#endif
