// The device registry the channel layer needs (protocol §3, §4). Methods may
// return a value or a Promise, so a synchronous store (better-sqlite3) and an
// asynchronous one (pg) both fit; the relay always awaits.

export type MaybePromise<T> = T | Promise<T>;

/** An enrolled device. */
export interface DeviceRecord {
  /** did:key of the device's Ed25519 key. */
  did: string;
  /** X25519 public key (the device's Noise static key), derived from the DID key. */
  staticKey: Uint8Array;
  ed25519PublicKey: Uint8Array;
  /** SECRET. PSK of the device's sessions (protocol §3 device_psk). */
  devicePsk: Uint8Array;
  /** Last accepted initiation counter; 0 until the first session (the first initiation carries 1). */
  lastCounter: bigint;
  revoked: boolean;
  /** DID of the owner who claimed it. */
  owner: string;
}

/** A one-time claim an owner created (protocol §3). */
export interface ClaimRecord {
  /** 8 public bytes. */
  claimId: Uint8Array;
  /** SECRET. HKDF of the claim token (keys mac1 of ENROLL_INIT and is the XXpsk3 PSK). */
  claimPsk: Uint8Array;
  /** Absolute expiry, ms (Clock.now() scale). */
  expiresAt: number;
  used: boolean;
  owner: string;
}

/** What a completed enrollment registers. */
export interface Enrollment {
  claimId: Uint8Array;
  did: string;
  staticKey: Uint8Array;
  ed25519PublicKey: Uint8Array;
  devicePsk: Uint8Array;
  owner: string;
}

export interface Registry {
  /** The device whose Noise static key is `staticKey`. */
  deviceByStatic(staticKey: Uint8Array): MaybePromise<DeviceRecord | undefined>;
  deviceByDid(did: string): MaybePromise<DeviceRecord | undefined>;
  claimById(claimId: Uint8Array): MaybePromise<ClaimRecord | undefined>;
  /**
   * Atomically mark the claim used and register the device (lastCounter 0,
   * not revoked). Returns false, changing nothing, when the claim is unknown or
   * already used, or the DID is already registered and revoked.
   */
  completeEnrollment(enrollment: Enrollment): MaybePromise<boolean>;
  /** Store the last accepted initiation counter of `did` (never lowers it). */
  setLastCounter(did: string, counter: bigint): MaybePromise<void>;
  /** Mark `did` revoked. */
  revoke(did: string): MaybePromise<void>;
}
