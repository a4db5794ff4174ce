// Bounded waits on real time, for suites that drive real sockets and processes.

/** Poll `cond` every `pollMs` until it holds; throws naming `what` after `ms` real milliseconds. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string | (() => string),
  pollMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for: ${typeof what === 'string' ? what : what()}`);
    await sleep(pollMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
