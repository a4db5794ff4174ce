// Message layouts of the sealink wire protocol v1 (docs/protocol.md §2-§6).
// Names and sizes are the spec's; *_OFF are byte offsets inside a message.
// Every message starts with type (1 byte) and 3 reserved zero bytes, which the
// code reads and writes as one little-endian u32 equal to the type.

/** One Ethernet-MTU UDP payload; longer datagrams and TCP lengths are refused (§2). */
export const MAX_MESSAGE_BYTES: u32 = 1472;
/** TCP framing: a 2-byte big-endian length before each message (§2). */
export const TCP_PREFIX_BYTES: u32 = 2;
/** Smallest message: the 4-byte header (§2: a TCP length below 4 closes the connection). */
export const MIN_MESSAGE_BYTES: u32 = 4;

export const MSG_SESSION_INIT: u32 = 1;
export const MSG_SESSION_RESP: u32 = 2;
export const MSG_COOKIE_REPLY: u32 = 3;
export const MSG_TRANSPORT: u32 = 4;
export const MSG_ENROLL_INIT: u32 = 5;
export const MSG_ENROLL_RESP: u32 = 6;
export const MSG_ENROLL_FINISH: u32 = 7;

// SESSION_INIT = type | sender | e | enc_s | enc_counter | mac1 | mac2 (§4)
export const SESSION_INIT_BYTES: u32 = 144;
export const SESSION_INIT_NOISE_OFF: usize = 8;
export const SESSION_INIT_MAC1_OFF: usize = 112;
// SESSION_RESP = type | sender | receiver | e | enc_payload (§4)
export const SESSION_RESP_BYTES: u32 = 60;
export const SESSION_RESP_NOISE_OFF: usize = 12;

// COOKIE_REPLY = type | receiver | nonce(12) | AEAD(cookie)(16 + 16) (§5)
export const COOKIE_REPLY_BYTES: u32 = 52;
export const COOKIE_REPLY_NONCE_OFF: usize = 8;
export const COOKIE_REPLY_COOKIE_OFF: usize = 20;

// TRANSPORT = type | receiver | counter(8) | AEAD(frames) (§6)
export const TRANSPORT_HEADER_BYTES: u32 = 16;
export const TRANSPORT_MIN_BYTES: u32 = 32;
export const TRANSPORT_COUNTER_OFF: usize = 8;

// ENROLL_INIT = type | sender | claim_id(8) | e(32) | enc_payload(16) | zero(16) | mac1 | mac2 (§3)
// (Noise "-> e" with the psk modifier already has a key, so its empty payload
// is a 16-byte tag; the padding after it keeps the message at 112 bytes.)
export const ENROLL_INIT_BYTES: u32 = 112;
export const ENROLL_INIT_CLAIM_OFF: usize = 8;
export const ENROLL_INIT_NOISE_OFF: usize = 16;
export const ENROLL_INIT_MAC1_OFF: usize = 80;
// ENROLL_RESP = type | sender | receiver | e | enc_s | enc_payload (§3)
export const ENROLL_RESP_BYTES: u32 = 108;
export const ENROLL_RESP_NOISE_OFF: usize = 12;
// ENROLL_FINISH = type | receiver | enc_s | enc_payload(32 + 16) (§3)
export const ENROLL_FINISH_BYTES: u32 = 104;
export const ENROLL_FINISH_NOISE_OFF: usize = 8;

/** Offsets shared by the two-index replies: sender at 4, receiver at 8. */
export const INDEX_SENDER_OFF: usize = 4;
export const INDEX_RECEIVER_OFF: usize = 8;

/** mac1 and mac2 are 16 bytes each, mac2 right after mac1 (§4, §5). */
export const MAC_BYTES: usize = 16;

// Frames inside a transport record: kind(1) | length(2, BE) | body (§6).
export const FRAME_HEADER_BYTES: u32 = 3;
export const FRAME_PADDING: u8 = 0;
export const FRAME_DATA: u8 = 1;
export const FRAME_ACK: u8 = 2;
export const FRAME_REKEY: u8 = 3;
export const FRAME_ENROLLED: u8 = 4;
export const ACK_FRAME_BYTES: u32 = 3 + 8;
/** Network admission key carried by ENROLLED. */
export const ADMISSION_KEY_BYTES: u32 = 32;

/** ACK frames the device puts in one record at most (session.ts ACKS_MAX). */
export const ACKS_PER_RECORD_MAX: u32 = 4;

/**
 * Largest application payload of one DATA frame: a full record less its
 * header and tag, the ACK frames that may ride along, and the DATA frame header.
 */
export const DATA_MAX_BYTES: u32 = MAX_MESSAGE_BYTES - TRANSPORT_MIN_BYTES - ACKS_PER_RECORD_MAX * ACK_FRAME_BYTES - FRAME_HEADER_BYTES;

/** Writes the 4-byte header: type, then three zero bytes. */
// @ts-ignore: decorator
@inline export function putHeader(msg: usize, type: u32): void {
  store<u32>(msg, type);
}
