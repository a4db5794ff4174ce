// The relay's storage contract. The relay talks to storage only through `Store`,
// so the embedded SQLite store (sqlite.ts), the in-memory store for tests
// (memory.ts) and a PostgreSQL store to come are interchangeable; one
// conformance suite (test/store/conformance.ts) holds them all to the same
// semantics.
//
// What the store holds: owners, one-time claims, enrolled devices, and per
// device the sealed-reading records of docs/readings.md: READING records
// (sealed end to end on the device: the relay cannot open them), and per epoch
// the EPOCH_OPEN and EPOCH_CLOSE records plus wraps granted later. Relay
// configuration and relay secrets are NOT here.
//
// Contract shared by every implementation:
// - Every method is async. A write's promise resolves only once the write is
//   durable (committed; for SQLite, fsynced WAL): only then may the relay ACK.
// - Writes take effect in call order. A read observes every write whose promise
//   has resolved; it may or may not observe writes still pending.
// - Records are copied in and out: mutating a returned record changes nothing.
// - A wrong argument type rejects with TypeError, an out-of-range value with
//   RangeError (nothing is queued); store-level failures reject with
//   StoreError and a stable `code`.
// - After close() every method rejects with STORE_CLOSED.

/** JSON value (owner and device metadata). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** Free-form metadata; stored sealed. At most METADATA_MAX_BYTES as JSON. */
export type Metadata = { [key: string]: Json };

/** An owner (person or organisation) who claims devices. */
export interface OwnerRecord {
  /** did:key of the owner. */
  did: string;
  name: string;
  metadata: Metadata;
  /** ms, the relay clock. */
  createdAt: number;
}

/** A one-time claim an owner created (protocol §3). Same shape as the relay's ClaimRecord. */
export interface ClaimRecord {
  /** CLAIM_ID_BYTES public bytes. */
  claimId: Uint8Array;
  /** SECRET. HKDF of the claim token (KEY_BYTES). */
  claimPsk: Uint8Array;
  /** Absolute expiry, ms (relay clock). */
  expiresAt: number;
  used: boolean;
  /** DID of the owner who created it. */
  owner: string;
}

/** What registering a device stores. */
export interface NewDevice {
  /** did:key of the device's Ed25519 key. */
  did: string;
  ed25519PublicKey: Uint8Array;
  /** X25519 public key (the device's Noise static key); unique, looked up by deviceByStatic. */
  staticKey: Uint8Array;
  /** SECRET. PSK of the device's sessions (protocol §3 device_psk). */
  devicePsk: Uint8Array;
  owner: string;
  name?: string;
  metadata?: Metadata;
  /** ms, the relay clock. */
  registeredAt: number;
}

/** An enrolled device. A superset of the relay's DeviceRecord (cloud/relay/registry.ts). */
export interface DeviceRecord {
  did: string;
  ed25519PublicKey: Uint8Array;
  staticKey: Uint8Array;
  /** SECRET. */
  devicePsk: Uint8Array;
  owner: string;
  name: string;
  metadata: Metadata;
  registeredAt: number;
  /** Last accepted initiation counter; 0 until the first session. */
  lastCounter: bigint;
  revoked: boolean;
}

/** What consumeClaim registers along with the claim (the owner is the claim's). */
export type ClaimedDevice = Omit<NewDevice, 'owner'>;

/** Outcome of consumeClaim. On `ok: false` nothing changed. */
export type ConsumeResult =
  | { ok: true; claim: ClaimRecord; device?: DeviceRecord }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'revoked' };

/** An epoch of a device (docs/readings.md: epochs and sequence numbers are per device). */
export interface EpochKey {
  /** Device DID. */
  device: string;
  /** Epoch number E (u32 on the wire). */
  epoch: number;
}

/**
 * The identity of a reading: (device, epoch, seq), the key docs/readings.md
 * gives the relay (seq is per device and never reused, so the feed is not part
 * of it). Stored once per identity: a second append is a duplicate and the
 * first record is kept, whatever the second carries.
 */
export interface ReadingKey extends EpochKey {
  /** Sequence number, per device (u64 on the wire; 0..2^53-1 here). */
  seq: number;
}

/** A stored reading. */
export interface Reading extends ReadingKey {
  /** Feed id (u16). */
  feed: number;
  /** The READING record exactly as the device sent it (1..READING_MAX_BYTES). */
  body: Uint8Array;
  /** ms, the relay clock when the relay received it. */
  receivedAt: number;
}

/** 'stored': this call stored it; 'duplicate': it was already stored (ACK it anyway). */
export type AppendResult = 'stored' | 'duplicate';

/**
 * Readings of one device. Order 'sequence' (default): by (epoch, seq), the
 * order the owner verifies in. Order 'received': by (receivedAt, epoch, seq),
 * for time windows over a long history (it uses the time index).
 */
export interface ReadingQuery {
  device: string;
  /** Only this feed. */
  feed?: number;
  /** Only this epoch. */
  epoch?: number;
  /** receivedAt >= from (default: no bound). */
  from?: number;
  /** receivedAt < to (default: no bound). */
  to?: number;
  order?: 'sequence' | 'received';
  /** 1..QUERY_MAX_LIMIT, default QUERY_DEFAULT_LIMIT. */
  limit?: number;
  /** The `cursor` of the previous page (of the same order). */
  cursor?: string;
}

export interface ReadingPage {
  readings: Reading[];
  /** Present when more readings may follow: pass it as `cursor` for the next page. */
  cursor?: string;
}

/** A data-key wrap for one reader added after the epoch opened (an owner's grant). */
export interface WrapRecord {
  /** DID of the reader. */
  reader: string;
  wrap: Uint8Array;
}

/** What the store holds about one epoch. */
export interface EpochRecord extends EpochKey {
  /** The EPOCH_OPEN record (device-signed; carries the wraps for the readers at the time). */
  open?: Uint8Array;
  /** The EPOCH_CLOSE record (device-signed chain over the epoch's readings). */
  close?: Uint8Array;
  /** Wraps added later, ordered by reader DID. */
  wraps: WrapRecord[];
}

/** The relay's storage. See the contract at the top of this file. */
export interface Store {
  // ---- owners ----
  /** Rejects STORE_CONFLICT when the DID exists. */
  createOwner(owner: OwnerRecord): Promise<void>;
  getOwner(did: string): Promise<OwnerRecord | undefined>;

  // ---- claims ----
  /** Store a new, unused claim. Rejects STORE_CONFLICT (claim id exists), STORE_UNKNOWN_OWNER. */
  createClaim(claim: Omit<ClaimRecord, 'used'>): Promise<void>;
  getClaim(claimId: Uint8Array): Promise<ClaimRecord | undefined>;
  /**
   * Atomically: if the claim exists, is unused and (when `now` is given)
   * `now < expiresAt`, mark it used and, when `register` is given, register
   * that device to the claim's owner (lastCounter 0, not revoked; a device
   * already registered and not revoked is re-enrolled: its keys, name and
   * metadata replaced, its counter reset). Refused, changing nothing, when the
   * device is registered and revoked ('revoked'). Concurrent calls for one
   * claim: exactly one succeeds. Rejects STORE_CONFLICT (and changes nothing)
   * when another device has the static key.
   */
  consumeClaim(claimId: Uint8Array, options?: { now?: number; register?: ClaimedDevice }): Promise<ConsumeResult>;

  // ---- devices ----
  /** Register a device by DID. Rejects STORE_CONFLICT (DID or static key exists), STORE_UNKNOWN_OWNER. */
  registerDevice(device: NewDevice): Promise<void>;
  getDevice(did: string): Promise<DeviceRecord | undefined>;
  /** The device whose Noise static key is `staticKey`. */
  deviceByStatic(staticKey: Uint8Array): Promise<DeviceRecord | undefined>;
  /** The owner's devices, ordered by DID. */
  listDevicesByOwner(owner: string): Promise<DeviceRecord[]>;
  /** Change name and/or metadata. false when the device is unknown. */
  updateDevice(did: string, changes: { name?: string; metadata?: Metadata }): Promise<boolean>;
  /** Mark revoked (for good). false when the device is unknown. */
  revokeDevice(did: string): Promise<boolean>;
  /** Raise the last initiation counter; never lowers it. true when it was raised. */
  updateCounter(did: string, counter: bigint): Promise<boolean>;

  // ---- readings ----
  /**
   * Store a READING record once per (device, epoch, seq). Resolves after the
   * durable commit (group commit: appends arriving together share one). The
   * store does not check the device: the relay authenticated the session.
   */
  append(reading: Reading): Promise<AppendResult>;
  queryReadings(query: ReadingQuery): Promise<ReadingPage>;

  // ---- epochs ----
  /** Store the EPOCH_OPEN record of `key` once: a second one is 'duplicate' and the first stays. */
  openEpoch(key: EpochKey, record: Uint8Array): Promise<AppendResult>;
  /** Store the EPOCH_CLOSE record of `key` once: a second one is 'duplicate' and the first stays. */
  closeEpoch(key: EpochKey, record: Uint8Array): Promise<AppendResult>;
  /** Store (or replace) a wrap of `key`'s data key for `reader` (a grant made after the epoch opened). */
  putWrap(key: EpochKey, reader: string, wrap: Uint8Array): Promise<void>;
  /** undefined when the store has nothing for the epoch. */
  getEpoch(key: EpochKey): Promise<EpochRecord | undefined>;
  /** The device's epochs from `from` (default 0) on, ordered by epoch, at most `limit` (1..QUERY_MAX_LIMIT, default QUERY_DEFAULT_LIMIT). */
  listEpochs(device: string, options?: { from?: number; limit?: number }): Promise<EpochRecord[]>;

  /** Commit everything pending, then release the store. Idempotent. */
  close(): Promise<void>;
}

/** Stable codes of StoreError. */
export type StoreErrorCode =
  /** The storage key does not open this database (checked on open; nothing was changed). */
  | 'STORE_KEY_MISMATCH'
  /** A stored value failed authentication or is malformed: tampering or corruption. */
  | 'STORE_CORRUPT'
  /** A unique identity already exists. */
  | 'STORE_CONFLICT'
  /** The owner DID is not a stored owner. */
  | 'STORE_UNKNOWN_OWNER'
  /** The store was closed. */
  | 'STORE_CLOSED'
  /** The database failed to commit (disk full, I/O error): nothing of that batch was stored. */
  | 'STORE_IO';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
