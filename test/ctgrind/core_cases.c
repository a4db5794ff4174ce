/*
 * The sealink core's secret-handling entry points (firmware/index.ts), each
 * with its secret inputs marked undefined. Lengths, offsets, nonces, aad,
 * public keys and messages to sign are public; keys, seeds, scalars, IKM,
 * chaining keys and plaintexts are secret. Every length class that changes
 * the code path (empty, partial block, block boundary, several blocks) is
 * covered with small inputs so the valgrind run stays fast.
 */
#include "harness.h"

#define Z(name) Z_sealinkZ_##name
#define STATUS_OK 0u
#define STATUS_AUTH ((uint32_t)-1)
#define STATUS_INVALID ((uint32_t)-3)

/* Exchange-buffer layout used by the cases (offsets are public). */
enum { KEY = 0, NONCE = 64, AAD = 128, SALT = 256, INFO = 512, MSG = 1024, OUT = 4096, OUT2 = 6144 };

static const uint32_t SHA256_LENS[] = { 0, 1, 55, 56, 63, 64, 65, 130 };
static const uint32_t SHA512_LENS[] = { 0, 1, 111, 112, 127, 128, 129, 260 };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void ok(uint32_t status, const char *what) { ct_expect(status == STATUS_OK, what); }

static unsigned case_sha256(void) {
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(SHA256_LENS); i++) {
    uint32_t n = SHA256_LENS[i];
    ct_random(MSG, 2 * n + 1);
    ct_secret(MSG, 2 * n + 1);
    ok(Z(crypto_sha256_init)(ct_core), "sha256_init");
    ok(Z(crypto_sha256_update)(ct_core, MSG, n), "sha256_update");
    ok(Z(crypto_sha256_update)(ct_core, MSG + n, n + 1), "sha256_update");
    ok(Z(crypto_sha256_final)(ct_core, OUT), "sha256_final");
    ct_expect_secret(OUT, 32, "sha256");
    calls += 2;
  }
  return calls;
}

static unsigned case_sha512(void) {
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(SHA512_LENS); i++) {
    uint32_t n = SHA512_LENS[i];
    ct_random(MSG, 2 * n + 1);
    ct_secret(MSG, 2 * n + 1);
    ok(Z(crypto_sha512_init)(ct_core), "sha512_init");
    ok(Z(crypto_sha512_update)(ct_core, MSG, n), "sha512_update");
    ok(Z(crypto_sha512_update)(ct_core, MSG + n, n + 1), "sha512_update");
    ok(Z(crypto_sha512_final)(ct_core, OUT), "sha512_final");
    ct_expect_secret(OUT, 64, "sha512");
    calls += 2;
  }
  return calls;
}

static unsigned case_hmac_sha256(void) {
  static const uint32_t KEY_LENS[] = { 0, 16, 32, 64, 65, 100 };
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(KEY_LENS); i++) {
    uint32_t n = SHA256_LENS[i % COUNT(SHA256_LENS)] + 3;
    ct_random(KEY, 128);
    ct_random(MSG, n);
    ct_secret(KEY, 128);
    ct_secret(MSG, n);
    ok(Z(crypto_hmac_sha256_init)(ct_core, KEY, KEY_LENS[i]), "hmac_init");
    ok(Z(crypto_hmac_sha256_update)(ct_core, MSG, n), "hmac_update");
    ok(Z(crypto_hmac_sha256_final)(ct_core, OUT), "hmac_final");
    ct_expect_secret(OUT, 32, "hmac_sha256");
    calls++;
  }
  return calls;
}

static unsigned case_hkdf_sha256(void) {
  /* Noise's HKDF(ck, dh): the salt (chaining key) is secret as well as the IKM. */
  static const uint32_t OUT_LENS[] = { 0, 32, 42, 64, 100 };
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(OUT_LENS); i++) {
    ct_random(SALT, 32);
    ct_random(KEY, 32);
    ct_random(INFO, 10);
    ct_secret(SALT, 32);
    ct_secret(KEY, 32);
    ok(Z(crypto_hkdf_sha256)(ct_core, SALT, 32, KEY, 32, INFO, i, OUT, OUT_LENS[i]), "hkdf");
    if (OUT_LENS[i] > 0) ct_expect_secret(OUT, OUT_LENS[i], "hkdf_sha256");
    calls++;
  }
  return calls;
}

static const uint32_t AEAD_LENS[] = { 0, 1, 16, 63, 64, 65, 200 };

static unsigned case_aead_seal(void) {
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(AEAD_LENS); i++) {
    uint32_t n = AEAD_LENS[i];
    ct_random(KEY, 32);
    ct_random(NONCE, 12);
    ct_random(AAD, 20);
    ct_random(MSG, n);
    ct_secret(KEY, 32);
    ct_secret(MSG, n);
    ok(Z(crypto_aead_seal)(ct_core, KEY, NONCE, AAD, i * 3, MSG, n, OUT), "aead_seal");
    ct_expect_secret(OUT + n, 16, "aead_seal tag");
    calls++;
  }
  return calls;
}

static unsigned case_aead_open(void) {
  unsigned calls = 0;
  for (unsigned i = 0; i < COUNT(AEAD_LENS); i++) {
    uint32_t n = AEAD_LENS[i];
    ct_random(KEY, 32);
    ct_random(NONCE, 12);
    ct_random(AAD, 20);
    ct_random(MSG, n);
    ct_secret(KEY, 32);
    ct_secret(MSG, n);
    /* Sealed under the secret key, the record (OUT, n + 16 bytes) is itself
       undefined to memcheck; opening must not branch on it either. */
    ok(Z(crypto_aead_seal)(ct_core, KEY, NONCE, AAD, 20, MSG, n, OUT), "aead_seal");
    /* Whether a record authenticates is public: the receiver visibly delivers
       or drops it, and the protocol counts drops. The harness declassifies
       the returned status before it branches on it. Inside the core, the
       one branch aeadOpen makes on the verdict (decrypt or wipe) is the
       declassification rule of test/ctgrind.test.ts. */
    uint32_t st = ct_public(Z(crypto_aead_open)(ct_core, KEY, NONCE, AAD, 20, OUT, n + 16, OUT2));
    ct_expect(st == STATUS_OK, "aead_open accepts a sealed record");
    if (n > 0) ct_expect_secret(OUT2, n, "aead_open plaintext");
    calls++;
    /* A forgery: one flipped bit in the ciphertext or tag. */
    ct_io[OUT + (i * 7) % (n + 16)] ^= 1;
    st = ct_public(Z(crypto_aead_open)(ct_core, KEY, NONCE, AAD, 20, OUT, n + 16, OUT2));
    ct_expect(st == STATUS_AUTH, "aead_open refuses a forged record");
    calls++;
  }
  return calls;
}

static unsigned case_x25519(void) {
  unsigned calls = 0;
  for (unsigned i = 0; i < 3; i++) {
    ct_random(KEY, 32);
    ct_random(MSG, 32);
    if (i == 2) {
      for (unsigned b = 0; b < 32; b++) ct_io[MSG + b] = 0; /* u = 0: small order, all-zero result */
    }
    ct_secret(KEY, 32);
    /* An all-zero shared secret is refused by the caller, visibly: the status is public. */
    uint32_t st = ct_public(Z(crypto_x25519)(ct_core, OUT, KEY, MSG));
    ct_expect(st == (i == 2 ? STATUS_INVALID : STATUS_OK), "x25519 status");
    if (i != 2) ct_expect_secret(OUT, 32, "x25519");
    calls++;
  }
  return calls;
}

static unsigned case_x25519_base(void) {
  for (unsigned i = 0; i < 2; i++) {
    ct_random(KEY, 32);
    ct_secret(KEY, 32);
    ok(Z(crypto_x25519_base)(ct_core, OUT, KEY), "x25519_base");
    ct_expect_secret(OUT, 32, "x25519_base");
  }
  return 2;
}

static unsigned case_ed25519_public_key(void) {
  for (unsigned i = 0; i < 2; i++) {
    ct_random(KEY, 32);
    ct_secret(KEY, 32);
    ok(Z(crypto_ed25519_public_key)(ct_core, OUT, KEY), "ed25519_public_key");
    ct_expect_secret(OUT, 32, "ed25519_public_key");
  }
  return 2;
}

static unsigned case_ed25519_sign(void) {
  static const uint32_t MSG_LENS[] = { 0, 1, 100 };
  for (unsigned i = 0; i < COUNT(MSG_LENS); i++) {
    ct_random(KEY, 32);
    ct_random(MSG, MSG_LENS[i]);
    ct_secret(KEY, 32); /* the message is public */
    ok(Z(crypto_ed25519_sign)(ct_core, OUT, KEY, MSG, MSG_LENS[i]), "ed25519_sign");
    ct_expect_secret(OUT, 32, "ed25519_sign R");
    ct_expect_secret(OUT + 32, 32, "ed25519_sign S");
  }
  return COUNT(MSG_LENS);
}

static unsigned case_ed25519_to_x25519_secret(void) {
  for (unsigned i = 0; i < 2; i++) {
    ct_random(KEY, 32);
    ct_secret(KEY, 32);
    ok(Z(crypto_ed25519_to_x25519_secret)(ct_core, OUT, KEY), "ed25519_to_x25519_secret");
    ct_expect_secret(OUT, 32, "ed25519_to_x25519_secret");
  }
  return 2;
}

const ct_case ct_cases[] = {
  { "sha256", case_sha256 },
  { "sha512", case_sha512 },
  { "hmac_sha256", case_hmac_sha256 },
  { "hkdf_sha256", case_hkdf_sha256 },
  { "aead_seal", case_aead_seal },
  { "aead_open", case_aead_open },
  { "x25519", case_x25519 },
  { "x25519_base", case_x25519_base },
  { "ed25519_public_key", case_ed25519_public_key },
  { "ed25519_sign", case_ed25519_sign },
  { "ed25519_to_x25519_secret", case_ed25519_to_x25519_secret },
};
const unsigned ct_case_count = sizeof ct_cases / sizeof ct_cases[0];
