// SHA-256 / SHA-512 known answers published in FIPS 180-2, Appendix B (SHA-256)
// and Appendix C (SHA-512): the one-block "abc" message, the multi-block message
// (448 bits for SHA-256, 896 bits for SHA-512) and one million 'a'.

import type { Platform } from '../platform.ts';
import { fromHex, utf8 } from '../hex.ts';
import { Run, expectBytes, type Report } from '../report.ts';

const MILLION_A = (): Uint8Array => new Uint8Array(1_000_000).fill(0x61);

/** [name, message, published digest] */
export const FIPS180_SHA256: [string, () => Uint8Array, string][] = [
  ['B.1 "abc"', () => utf8('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['B.2 448-bit message', () => utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['B.3 one million "a"', MILLION_A, 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

export const FIPS180_SHA512: [string, () => Uint8Array, string][] = [
  ['C.1 "abc"', () => utf8('abc'),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  ['C.2 896-bit message', () => utf8('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'],
  ['C.3 one million "a"', MILLION_A,
    'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b'],
];

export function checkFips180(p: Platform, which: 'sha256' | 'sha512'): Report {
  const table = which === 'sha256' ? FIPS180_SHA256 : FIPS180_SHA512;
  const run = new Run(`FIPS 180-2 ${which}`, table.length);
  for (const [name, msg, digest] of table) {
    run.case(name, () => expectBytes(which, p[which](msg()), fromHex(digest)));
  }
  return run.finish();
}
