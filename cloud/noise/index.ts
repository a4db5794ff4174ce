// Noise Protocol Framework (revision 34) for 25519 / ChaChaPoly / SHA256 and the
// patterns IK, XX, IKpsk2, XXpsk3.

export { CipherState, MAX_NONCE } from './cipher-state.ts';
export {
  DHLEN, HASHLEN, KEYLEN, TAGLEN, NoiseError, dh, decrypt, encrypt, equalBytes, generateKeyPair, hash, hkdf2, hkdf3,
  hmac, keyPairFromSecret, publicKeyObject, type KeyPair,
} from './crypto.ts';
export { HandshakeState, type HandshakeOptions } from './handshake-state.ts';
export { PATTERNS, protocolName, type PatternName, type Token } from './patterns.ts';
export { SymmetricState } from './symmetric-state.ts';
