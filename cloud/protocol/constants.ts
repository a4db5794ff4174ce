// Wire constants of sealink protocol v1 (docs/protocol.md), named as there.

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// §2 Framing
/** Header: type(1) and 3 reserved zero bytes. */
export const HEADER_BYTES = 4;
/** One Ethernet-MTU UDP payload; longer datagrams are dropped, longer TCP lengths close the connection. */
export const MAX_MESSAGE_BYTES = 1472;
/** Size of the TCP length prefix (big-endian). */
export const TCP_LENGTH_BYTES = 2;

// §2 Message types
export const SESSION_INIT = 1;
export const SESSION_RESP = 2;
export const COOKIE_REPLY = 3;
export const TRANSPORT = 4;
export const ENROLL_INIT = 5;
export const ENROLL_RESP = 6;
export const ENROLL_FINISH = 7;
export type MessageType = 1 | 2 | 3 | 4 | 5 | 6 | 7;

// §2 Sizes
export const SESSION_INIT_BYTES = 144;
export const SESSION_RESP_BYTES = 60;
export const COOKIE_REPLY_BYTES = 52;
export const TRANSPORT_HEADER_BYTES = 16;
/** TRANSPORT = header(16) + AEAD tag(16) + plaintext. */
export const TRANSPORT_MIN_BYTES = 32;
export const ENROLL_INIT_BYTES = 112;
export const ENROLL_RESP_BYTES = 108;
export const ENROLL_FINISH_BYTES = 104;
/** Largest plaintext of one TRANSPORT record. */
export const MAX_RECORD_PLAINTEXT = MAX_MESSAGE_BYTES - TRANSPORT_MIN_BYTES;

// Field sizes
export const INDEX_BYTES = 4;
export const CLAIM_ID_BYTES = 8;
export const CLAIM_TOKEN_BYTES = 16;
export const KEY_BYTES = 32;
export const MAC_BYTES = 16;
export const COOKIE_BYTES = 16;
export const COOKIE_NONCE_BYTES = 12;
export const COUNTER_BYTES = 8;

// §3, §4 Prologues and labels
export const PROLOGUE_SESSION = utf8('sealink/1');
export const PROLOGUE_ENROLL_PREFIX = utf8('sealink/1 enroll');
export const INFO_CLAIM_PSK = utf8('sealink/1 claim psk');
export const INFO_DEVICE_PSK = utf8('sealink/1 device psk');
export const LABEL_MAC1 = utf8('mac1----');
export const LABEL_COOKIE = utf8('cookie--');

// §3 Enrollment
/** Default lifetime of a claim, ms. */
export const CLAIM_LIFETIME = 15 * 60_000;

// §4 Sessions
/** Counter values the device reserves per storage write. */
export const COUNTER_RESERVE = 16;

// §5 Denial of service
/** Handshake messages per second (all sources) above which the relay is "under load". */
export const LOAD_THRESHOLD = 256;
/** Per-source handshake rate (token bucket refill, per second) and burst. */
export const HANDSHAKE_RATE_PER_SOURCE = 20;
export const HANDSHAKE_BURST_PER_SOURCE = 40;
/** R_secret is replaced, and a device keeps its cookie, this long (ms). */
export const COOKIE_SECRET_LIFETIME = 120_000;

// §6 Transport records
export const REPLAY_WINDOW_RELAY = 4096;
export const REPLAY_WINDOW_DEVICE = 128;

/** Frame kinds (§6). */
export const FRAME_PADDING = 0;
export const FRAME_DATA = 1;
export const FRAME_ACK = 2;
export const FRAME_REKEY = 3;
export const FRAME_ENROLLED = 4;
/** Frame header: kind(1) | length(2, BE). */
export const FRAME_HEADER_BYTES = 3;

// §7 Key rotation (ms / counts)
export const REKEY_AFTER_TIME = 120_000;
export const REKEY_JITTER = 30_000;
export const REKEY_AFTER_MESSAGES = 2 ** 20;
export const REJECT_AFTER_TIME = 300_000;
export const REJECT_AFTER_MESSAGES = 2 ** 21;
export const REKEY_TIMEOUT = 5_000;
export const REKEY_TIMEOUT_JITTER = 1_000;
export const KEEPALIVE_TIMEOUT = 25_000;
