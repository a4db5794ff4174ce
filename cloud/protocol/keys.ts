// Key derivations of protocol §3 (RFC 5869 HKDF-SHA256).

import { hkdfSync } from 'node:crypto';
import { CLAIM_TOKEN_BYTES, INFO_CLAIM_PSK, INFO_DEVICE_PSK, KEY_BYTES } from './constants.ts';

function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, KEY_BYTES));
}

/** claim_psk = HKDF(salt = "", ikm = claim_token, info = "sealink/1 claim psk", 32). */
export function claimPsk(claimToken: Uint8Array): Uint8Array {
  if (claimToken.length !== CLAIM_TOKEN_BYTES) throw new RangeError(`claim_token: expected ${CLAIM_TOKEN_BYTES} bytes`);
  return hkdf(new Uint8Array(0), claimToken, INFO_CLAIM_PSK);
}

/** device_psk = HKDF(salt = ck, ikm = "", info = "sealink/1 device psk", 32); ck: Noise chaining key after ENROLL_FINISH. */
export function devicePsk(chainingKey: Uint8Array): Uint8Array {
  if (chainingKey.length !== KEY_BYTES) throw new RangeError('chaining key: expected 32 bytes');
  return hkdf(chainingKey, new Uint8Array(0), INFO_DEVICE_PSK);
}
