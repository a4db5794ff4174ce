// The device's replay filter for UDP transport records (docs/protocol.md §6):
// REPLAY_WINDOW_DEVICE = 128 counters below the highest one accepted.
//
// State, at `w` (24 bytes inside a session, session.ts):
//   [0, 16)  bitmap, bit i (of a 128-bit little-endian value) = counter top-1-i seen
//   [16, 24) top: highest accepted counter + 1 (0 = none yet)
// Contract (as wireguard-go's filter): check() before authenticating is only
// a cheap pre-filter; update() runs after the record authenticated, so a
// forged record never moves the window. Counters are public: plain branches.

/** Size of the window: counters older than top - 128 are refused. */
export const REPLAY_WINDOW_DEVICE: u64 = 128;
export const REPLAY_STATE_BYTES: usize = 24;
const BITMAP_LO: usize = 0;
const BITMAP_HI: usize = 8;
const TOP: usize = 16;

/** True when `counter` is new: above the window or inside it and not yet seen. */
export function replayCheck(w: usize, counter: u64): bool {
  const top = load<u64>(w + TOP);
  if (counter >= top) return true;
  const age = top - 1 - counter;
  if (age >= REPLAY_WINDOW_DEVICE) return false;
  const word = load<u64>(w + (<usize>(age >> 6) << 3)); // BITMAP_LO or BITMAP_HI
  return ((word >> (age & 63)) & 1) == 0;
}

/** Marks `counter` as seen (call only after replayCheck and authentication). */
export function replayUpdate(w: usize, counter: u64): void {
  let lo = load<u64>(w + BITMAP_LO);
  let hi = load<u64>(w + BITMAP_HI);
  const top = load<u64>(w + TOP);
  if (counter >= top) {
    // Slide the 128-bit bitmap up by the distance the top moves.
    const shift = counter + 1 - top;
    if (shift >= 128) {
      lo = 0; hi = 0;
    } else if (shift >= 64) {
      hi = lo << (shift - 64); lo = 0;
    } else if (shift > 0) {
      hi = (hi << shift) | (lo >> (64 - shift)); lo = lo << shift;
    }
    lo |= 1;
    store<u64>(w + TOP, counter + 1);
  } else {
    const age = top - 1 - counter;
    if (age < 64) lo |= (<u64>1) << age;
    else hi |= (<u64>1) << (age - 64);
  }
  store<u64>(w + BITMAP_LO, lo);
  store<u64>(w + BITMAP_HI, hi);
}

/** Next counter expected in order (TCP: strict order, §6). */
export function replayTop(w: usize): u64 {
  return load<u64>(w + TOP);
}
