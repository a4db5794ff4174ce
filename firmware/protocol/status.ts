// The status record fw_status writes: what a board or a test needs to see of
// the protocol without reaching into the core's memory. Little-endian, 104 bytes
// (boards that read only the first 88 see what they always did):
//
//   0  u8  state: STATE_UNENROLLED, STATE_ENROLLING, STATE_CONNECTING, STATE_ESTABLISHED
//   1  u8  transport of the relay link: 0 UDP, 1 TCP
//   2  u8  1 while a handshake is in flight
//   3  u8  1 while a cookie (mac2) is fresh
//   4  i32 last error: ERR_* below (0 none)
//   8  u32 DATA items queued and not yet acknowledged
//  12  u32 of which sent in the current session, awaiting ACK
//  16  u64 next initiation counter
//  24  u64 current session: next send counter (0 without a session)
//  32  u64 current session: age in ms (0 without a session)
//  40  u32 messages dropped (malformed, unauthentic, replayed, stale)
//  44  u32 handshakes refused because the relay's static key was not the pinned one
//  48  u32 handshake messages sent (SESSION_INIT, ENROLL_INIT; retries included)
//  52  u32 sessions established (the first one and every rekey)
//  56  u32 transport records sent
//  60  u32 transport records received and authenticated
//  64  u32 DATA items acknowledged by the relay
//  68  u32 DATA frames received from the relay
//  72  u32 relay links closed and reopened
//  76  u32 cookie replies accepted
//  80  u32 ms until this device starts its next rekey (0 without a session, or when due)
//  84  u32 sealed readings: the open epoch E, or the last closed one (0 before the first)
//  88  u64 sealed readings: the next sequence number (1 on a fresh device)
//  96  u32 sealed readings: readings sealed in the open epoch (0 when none is open)
// 100  u32 sealed readings: flags: 1 an epoch is open, 2 its key is in RAM (it
//          continues; 0 after a reboot or a new claim: the next fw_reading closes
//          it and opens E+1), 4 the sealer state is not saved yet (a failed
//          storage write; sealed records wait until it is)

export const STATUS_RECORD_BYTES: u32 = 104;

export const STATE_UNENROLLED: u8 = 0;  // no claim yet: fw_enroll
export const STATE_ENROLLING: u8 = 1;   // XXpsk3 with the relay in progress
export const STATE_CONNECTING: u8 = 2;  // enrolled, no usable session (handshake running)
export const STATE_ESTABLISHED: u8 = 3; // enrolled, a session carries DATA

export const ERR_NONE: i32 = 0;
/** The relay presented a static key other than the pinned S_relay: interception or misconfiguration (§8). */
export const ERR_WRONG_RELAY: i32 = 1;
/** hal_storage_* failed. */
export const ERR_STORAGE: i32 = 2;
/** hal_rng_fill failed: no handshake without fresh randomness. */
export const ERR_RNG: i32 = 3;
/** hal_net_open or hal_net_send failed. */
export const ERR_LINK: i32 = 4;
/** A Diffie-Hellman result was zero (the relay key is of small order). */
export const ERR_HANDSHAKE: i32 = 5;
