/*
 * Cases for fixture.ts (deliberately leaky code): each leaky_* case must be
 * reported by memcheck, ct_compare must not, and the verdict cases check the
 * declassification rule both ways. Same harness.c, same build, same run.
 */
#include "harness.h"

#define Z(name) Z_sealinkZ_##name
enum { A = 0, B = 256, OUT = 1024 };

static unsigned case_leaky_compare(void) {
  ct_random(A, 32);
  for (unsigned i = 0; i < 32; i++) ct_io[B + i] = ct_io[A + i];
  ct_secret(A, 32);
  (void)Z(leaky_compare)(ct_core, A, B, 32);
  return 1;
}

static unsigned case_leaky_lookup(void) {
  ct_random(A, 16);
  ct_secret(A, 16);
  Z(leaky_lookup)(ct_core, OUT, A, 16);
  return 1;
}

static unsigned case_leaky_select(void) {
  ct_random(A, 16);
  ct_secret(A, 16);
  Z(leaky_select)(ct_core, OUT, A, 16);
  return 1;
}

static unsigned case_leaky_rng_branch(void) {
  /* Nothing marked here: hal_stub.c's hal_rng_fill marks its output secret. */
  (void)Z(leaky_rng_branch)(ct_core, OUT);
  return 1;
}

static unsigned case_ct_compare(void) {
  ct_random(A, 32);
  ct_random(B, 32);
  ct_secret(A, 32);
  (void)Z(ct_compare)(ct_core, A, B, 32);
  return 1;
}

/* A "computed tag" (secret) equal to the received one (public): an early exit
   compares all 16 bytes, one conditional jump each, plus the verdict. */
static unsigned verdict(uint32_t (*open)(Z_sealink_instance_t *, u32, u32, u32, u32)) {
  for (unsigned i = 0; i < 3; i++) {
    ct_random(A, 16);
    for (unsigned b = 0; b < 16; b++) ct_io[B + b] = ct_io[A + b];
    ct_secret(A, 16);
    uint32_t st = ct_public(open(ct_core, OUT, A, B, 16));
    ct_expect(st == 0, "equal tags are accepted");
  }
  return 3;
}

static unsigned case_leaky_aead_open(void) { return verdict(Z(leaky_aead_open)); }
static unsigned case_ct_aead_open(void) { return verdict(Z(ct_aead_open)); }

const ct_case ct_cases[] = {
  { "leaky_compare", case_leaky_compare },
  { "leaky_lookup", case_leaky_lookup },
  { "leaky_select", case_leaky_select },
  { "leaky_rng_branch", case_leaky_rng_branch },
  { "ct_compare", case_ct_compare },
  { "leaky_aead_open", case_leaky_aead_open },
  { "ct_aead_open", case_ct_aead_open },
};
const unsigned ct_case_count = sizeof ct_cases / sizeof ct_cases[0];
