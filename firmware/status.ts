// Status codes returned by every exported entry point. One source of truth: the
// Node binding (hal/node/core.ts) mirrors these values and test/build.test.ts
// checks that they agree.

/** Success. */
export const STATUS_OK: i32 = 0;
/** Authentication or signature verification failed; outputs were wiped. */
export const STATUS_AUTH: i32 = -1;
/** An offset or length lies outside the exchange buffer or a size limit. */
export const STATUS_RANGE: i32 = -2;
/** An encoded point or key is not valid for the operation. */
export const STATUS_INVALID: i32 = -3;
