/*
 * Replay of a recorded device life (trace.ts) for protocol_cases.c. The
 * trace cursor lives in hal_stub.c: while a trace is active, the stub HAL
 * answers clock, network and storage calls from it and checks that the core
 * makes exactly the recorded calls, with exactly the recorded bytes sent.
 */
#ifndef CTGRIND_REPLAY_H
#define CTGRIND_REPLAY_H

#include <stdint.h>

enum {
  TR_SEGMENT = 1, TR_OP = 2, TR_END = 3, TR_FINISH = 4,
  TR_CLOCK = 16, TR_RNG = 17, TR_OPEN = 18, TR_SEND = 19, TR_CLOSE = 20,
  TR_GET = 21, TR_PUT = 22, TR_DELETE = 23,
};
enum { OP_INIT = 1, OP_STEP = 2, OP_ENROLL = 3, OP_PACKET = 4, OP_READING = 5, OP_STATUS = 6 };

/** Starts replaying: checks the header and seeds the stub's RNG from it. */
void ct_replay_start(const uint8_t *trace, uint32_t len);
int ct_replay_active(void);
uint8_t ct_tr_peek(void);
uint8_t ct_tr_u8(void);
int32_t ct_tr_i32(void);
uint64_t ct_tr_u64(void);
/** The next n bytes of the trace (a pointer into it). */
const uint8_t *ct_tr_bytes(uint32_t n);
/** Consumes the tag `tag` or fails the run, naming what the core did instead. */
void ct_tr_expect(uint8_t tag, const char *doing);
/** Fails the run: the core no longer does what it did when recorded. */
void ct_tr_diverged(const char *what);
/**
 * Compares n bytes the core produced (possibly undefined to memcheck) with the
 * recorded ones, on a declassified copy: only data the core hands out (sent
 * bytes, the status record) is compared this way, and it is public once out.
 */
int ct_tr_same_public(const uint8_t *core_bytes, const uint8_t *recorded, uint32_t n);

#endif
