// CipherState (Noise rev. 34 §5.1): a key k and a nonce n.
//
// n is a JS number: Noise allows up to 2^64 - 2, we stop at 2^53 (far beyond
// sealink's REJECT_AFTER_MESSAGES = 2^21) so the arithmetic stays exact.

import { decrypt, encrypt, KEYLEN, NoiseError, rekeyKey } from './crypto.ts';

/** Nonces this implementation uses are below this bound. */
export const MAX_NONCE = 2 ** 53;

export class CipherState {
  private k: Uint8Array | null = null;
  /** The next nonce (§5.1). */
  n = 0;

  /** InitializeKey(key) (§5.1): sets k (copied), n = 0. */
  initializeKey(key: Uint8Array | null): void {
    if (key !== null && key.length !== KEYLEN) throw new RangeError(`CipherState key: expected ${KEYLEN} bytes`);
    this.wipe();
    this.k = key === null ? null : key.slice();
  }

  /** HasKey() (§5.1). */
  hasKey(): boolean {
    return this.k !== null;
  }

  /** SetNonce(nonce) (§5.1). */
  setNonce(n: number): void {
    this.n = n;
  }

  /** EncryptWithAd(ad, plaintext) (§5.1): the plaintext itself (copied) while there is no key. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === null) return plaintext.slice();
    if (this.n >= MAX_NONCE) throw new NoiseError('nonce');
    const out = encrypt(this.k, this.n, ad, plaintext);
    this.n++;
    return out;
  }

  /** DecryptWithAd(ad, ciphertext) (§5.1): throws NoiseError('decrypt') and leaves n unchanged on failure. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.k === null) return ciphertext.slice();
    if (this.n >= MAX_NONCE) throw new NoiseError('nonce');
    const out = decrypt(this.k, this.n, ad, ciphertext);
    if (out === null) throw new NoiseError('decrypt');
    this.n++;
    return out;
  }

  /**
   * Encrypt under an explicit nonce, n untouched: transport records carry their
   * counter (sealink protocol §6, as WireGuard; Noise §11.4 "out-of-order transport messages").
   */
  encryptAt(n: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === null) throw new NoiseError('state', 'noise: no key');
    if (!(Number.isInteger(n) && n >= 0 && n < MAX_NONCE)) throw new NoiseError('nonce');
    return encrypt(this.k, n, ad, plaintext);
  }

  /** Decrypt under an explicit nonce; null when authentication fails. */
  decryptAt(n: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    if (this.k === null) throw new NoiseError('state', 'noise: no key');
    if (!(Number.isInteger(n) && n >= 0 && n < MAX_NONCE)) return null;
    return decrypt(this.k, n, ad, ciphertext);
  }

  /** Rekey() (§5.1): k = REKEY(k) (§4.2); n unchanged. */
  rekey(): void {
    if (this.k === null) throw new NoiseError('state', 'noise: no key');
    const next = rekeyKey(this.k);
    this.k.fill(0);
    this.k = next;
  }

  /** Zero the key and forget it (sealink §7: keys are wiped when replaced or expired). */
  wipe(): void {
    if (this.k !== null) this.k.fill(0);
    this.k = null;
    this.n = 0;
  }

  /** An independent copy (to try a message without committing state). */
  clone(): CipherState {
    const c = new CipherState();
    c.k = this.k === null ? null : this.k.slice();
    c.n = this.n;
    return c;
  }
}
