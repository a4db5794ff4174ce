// The relay's secrets, generated on first run into the data dir with mode 0600
// (the dir itself 0700): the relay network key (Ed25519 seed; its did:key is the
// relay identity, its X25519 key S_relay is derived as did:key specifies), the
// network admission key (protocol §4 mac1) and the storage key (encryption at
// rest). Each file holds one line of hex. A key file that others may read is
// refused: the relay never runs on secrets it cannot vouch for.

import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { identityFromSeed, type Identity } from '../keys/did.ts';

export const KEY_FILE_BYTES = 32;
export const NETWORK_KEY_FILE = 'relay-network.key';
export const ADMISSION_KEY_FILE = 'admission.key';
export const STORAGE_KEY_FILE = 'storage.key';
export const DATABASE_FILE = 'sealink.db';

/** A key file problem (unreadable, malformed, too open). */
export class KeyFileError extends Error {
  constructor(readonly code: 'KEY_FILE_MALFORMED' | 'KEY_FILE_PERMISSIONS', readonly path: string, message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** SECRET fields: everything but did and the public keys. */
export interface RelayKeys {
  network: Identity;
  admissionKey: Uint8Array;
  storageKey: Uint8Array;
  /** Files created by this call (first run). */
  created: string[];
}

/** Create `dir` (0700) if missing. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Read a 32-byte hex key file, or create it with fresh randomness (O_EXCL, 0600). */
export function loadOrCreateKey(path: string, created: string[]): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readKey(path);
  }
  const key = new Uint8Array(randomBytes(KEY_FILE_BYTES));
  try {
    writeSync(fd, `${Buffer.from(key).toString('hex')}\n`);
    if ((fstatSync(fd).mode & 0o077) !== 0) throw new KeyFileError('KEY_FILE_PERMISSIONS', path, `${path}: could not create with mode 0600`);
  } finally {
    closeSync(fd);
  }
  created.push(path);
  return key;
}

/** Read a 32-byte hex key file; refuses one readable by group or others. */
export function readKey(path: string): Uint8Array {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError('KEY_FILE_PERMISSIONS', path, `${path}: mode ${mode.toString(8)} lets others read a secret; run chmod 600 ${path}`);
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new KeyFileError('KEY_FILE_MALFORMED', path, `${path}: expected ${KEY_FILE_BYTES} bytes as hex`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Load the relay's keys from `dataDir`, generating the missing ones. */
export function loadRelayKeys(dataDir: string): RelayKeys {
  ensurePrivateDir(dataDir);
  const created: string[] = [];
  const seed = loadOrCreateKey(join(dataDir, NETWORK_KEY_FILE), created);
  const admissionKey = loadOrCreateKey(join(dataDir, ADMISSION_KEY_FILE), created);
  const storageKey = loadOrCreateKey(join(dataDir, STORAGE_KEY_FILE), created);
  const network = identityFromSeed(seed);
  seed.fill(0);
  return { network, admissionKey, storageKey, created };
}
