// SymmetricState (Noise rev. 34 §5.2): chaining key ck, handshake hash h, and a CipherState.

import { CipherState } from './cipher-state.ts';
import { hash, HASHLEN, hkdf2, hkdf3 } from './crypto.ts';

const EMPTY = new Uint8Array(0);

export class SymmetricState {
  readonly cipher = new CipherState();
  ck: Uint8Array;
  h: Uint8Array;

  /** InitializeSymmetric(protocol_name) (§5.2): h = name padded to HASHLEN, or HASH(name) when longer. */
  constructor(protocolName: Uint8Array | null) {
    if (protocolName === null) { // for clone()
      this.ck = new Uint8Array(HASHLEN);
      this.h = new Uint8Array(HASHLEN);
      return;
    }
    if (protocolName.length <= HASHLEN) {
      this.h = new Uint8Array(HASHLEN);
      this.h.set(protocolName);
    } else {
      this.h = hash(protocolName);
    }
    this.ck = this.h.slice();
  }

  /** MixKey(input_key_material) (§5.2). */
  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf2(this.ck, ikm);
    this.ck.fill(0);
    this.ck = ck;
    this.cipher.initializeKey(tempK); // HASHLEN = 32: no truncation needed
    tempK.fill(0);
  }

  /** MixHash(data) (§5.2). */
  mixHash(data: Uint8Array): void {
    this.h = hash(this.h, data);
  }

  /** MixKeyAndHash(input_key_material) (§5.2): for "psk" tokens. */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf3(this.ck, ikm);
    this.ck.fill(0);
    this.ck = ck;
    this.mixHash(tempH);
    this.cipher.initializeKey(tempK);
    tempH.fill(0);
    tempK.fill(0);
  }

  /** GetHandshakeHash() (§5.2). */
  handshakeHash(): Uint8Array {
    return this.h.slice();
  }

  /** EncryptAndHash(plaintext) (§5.2). */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const c = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(c);
    return c;
  }

  /** DecryptAndHash(ciphertext) (§5.2): throws NoiseError('decrypt') on failure. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const p = this.cipher.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return p;
  }

  /** Split() (§5.2): two CipherStates; the initiator sends with the first. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.ck, EMPTY);
    const c1 = new CipherState();
    const c2 = new CipherState();
    c1.initializeKey(k1);
    c2.initializeKey(k2);
    k1.fill(0);
    k2.fill(0);
    return [c1, c2];
  }

  /** Zero ck and the cipher key. */
  wipe(): void {
    this.ck.fill(0);
    this.cipher.wipe();
  }

  clone(): SymmetricState {
    const s = new SymmetricState(null);
    s.ck = this.ck.slice();
    s.h = this.h.slice();
    (s as { cipher: CipherState }).cipher = this.cipher.clone();
    return s;
  }
}
