// Every byte of RAM the protocol uses, in one place, so the budget is visible
// at a glance (docs/memory.md: the core allocates nothing; all state is static
// data). Layouts of the blocks are given by the *_OFF / *_BYTES constants of
// the files that own them; this file only reserves the space.
//
// Total: RX 1474 + TX 1474 + HS 344 + SESSIONS 328 + CONF 196 + IDENTITY 64
// + QUEUE 104 + COOKIE_STATE 48 + TCP_STATE 8 + COUNTER 16 + DEV 112
// + SCRATCH 248 + READINGS 80 = 4496 bytes, plus ~240 bytes of constants
// (names, labels). The readings sealer (firmware/readings/sealer.ts) keeps
// its own ~440 bytes (READINGS_STATIC_BYTES: state with K_E, scratch, one
// HPKE context, labels) next to the crypto's.

/** 2-byte TCP length prefix + the largest message (docs/protocol.md §2). */
export const LINK_BUFFER_BYTES: u32 = 2 + 1472;

/**
 * Receive buffer (fw_rx_ptr). On TCP it is also the reassembly buffer: an
 * incomplete message stays at its start and fw_rx_ptr/fw_rx_bytes point past
 * it (tcp.ts), so the stream needs no second buffer.
 */
export const RX: usize = memory.data(<i32>LINK_BUFFER_BYTES, 16);

/** Transmit buffer: [0, 2) TCP length prefix, then the message (MSG). */
export const TX: usize = memory.data(<i32>LINK_BUFFER_BYTES, 16);
/** Where every outgoing message is built: after the TCP prefix, so UDP sends MSG and TCP sends TX. */
export const MSG: usize = TX + 2;

/** Noise handshake state (noise.ts HS_* offsets). Secret; wiped after every handshake. */
export const HS_BYTES: usize = 344;
export const HS: usize = memory.data(<i32>HS_BYTES, 8);
/**
 * Copy of the symmetric part of HS taken before reading a handshake message,
 * restored when it fails to authenticate, wiped when the read returns. It
 * borrows the tail of TX: reading a reply never overlaps building, sending or
 * keeping a message (the only message kept in TX, ENROLL_FINISH, is never
 * followed by a handshake read, and is 104 bytes at its start).
 */
export const HS_BACKUP_BYTES: usize = 120;
export const HS_BACKUP: usize = TX + LINK_BUFFER_BYTES - HS_BACKUP_BYTES;

/** Two transport sessions (session.ts): slot 0 current, slot 1 previous (receive only), then a generation counter. */
export const SESSION_BYTES: usize = 160;
export const SESSIONS: usize = memory.data(<i32>SESSION_BYTES * 2 + 8, 8);

/** Relay binding, keys and the owner's key (conf.ts CONF_* offsets), persisted as-is. */
export const CONF_BYTES: usize = 196;
export const CONF: usize = memory.data(<i32>CONF_BYTES, 8);

/** The device's public keys (identity.ts): Ed25519 (32) then its X25519 form (32). */
export const IDENTITY_BYTES: usize = 64;
export const IDENTITY: usize = memory.data(<i32>IDENTITY_BYTES, 8);

/** Storage-backed DATA queue cursor and in-flight map (queue.ts). */
export const QUEUE_BYTES: usize = 104;
export const QUEUE: usize = memory.data(<i32>QUEUE_BYTES, 8);

/** Cookie for mac2 and the last mac1 sent (cookie.ts). */
export const COOKIE_STATE_BYTES: usize = 48;
export const COOKIE_STATE: usize = memory.data(<i32>COOKIE_STATE_BYTES, 8);

/** TCP reassembly cursor (tcp.ts). */
export const TCP_STATE_BYTES: usize = 8;
export const TCP_STATE: usize = memory.data(<i32>TCP_STATE_BYTES, 8);

/** Initiation counter: next value and the reserved limit persisted in storage (handshake.ts). */
export const COUNTER_BYTES: usize = 16;
export const COUNTER: usize = memory.data(<i32>COUNTER_BYTES, 8);

/** Device state machine, timers, queue cursor and statistics (device.ts DEV_* offsets). */
export const DEV_BYTES: usize = 112;
export const DEV: usize = memory.data(<i32>DEV_BYTES, 8);

/**
 * Sealed readings on the device (readings.ts RD_* offsets): the sealer's
 * public state as last made consistent with the DATA queue (persisted as
 * sl.rd), plus the open epoch's budgets. Never the epoch key.
 */
export const READINGS_BYTES: usize = 80;
export const READINGS: usize = memory.data(<i32>READINGS_BYTES, 8);

/**
 * Short-lived secret scratch, wiped by whoever uses it before returning:
 * [0, 96) HKDF outputs, [96, 128) DH result / next hash, [128, 140) nonce,
 * [144, 248) SHA-256 context; laid out by noise.ts (SCRATCH_* offsets).
 */
export const SCRATCH_BYTES: usize = 248;
export const SCRATCH: usize = memory.data(<i32>SCRATCH_BYTES, 16);
