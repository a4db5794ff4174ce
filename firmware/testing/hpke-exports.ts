// TEST-ONLY entry points for HPKE (firmware/crypto/hpke.ts). Never part of the
// release module: test/vectors/hpke.test.ts compiles this file next to
// firmware/index.ts into a separate test module.
//
// Arguments are offsets into the exchange buffer, as in firmware/index.ts;
// NONE stands for an absent optional key (a null pointer to hpke.ts). Offsets
// are trusted (the test lays them out), so nothing is range-checked here.

import { IO } from "../io";
import {
  HPKE_CTX_BYTES, HPKE_CTX_KEY, HPKE_CTX_BASE_NONCE, HPKE_CTX_EXPORTER, HPKE_CTX_SEQ, HPKE_CTX_ROLE,
  hpkeDeriveKeyPair, hpkeEncap, hpkeDecap, hpkeSetupSender, hpkeSetupReceiver,
  hpkeSeal, hpkeOpen, hpkeExport,
} from "../crypto/hpke";

/** Offset value meaning "no key". */
const NONE: u32 = 0xffffffff;

// @ts-ignore: decorator
@inline function ptr(off: u32): usize {
  return off == NONE ? 0 : IO + off;
}

/** Context size and field offsets: 0 size, 1 key, 2 base_nonce, 3 exporter_secret, 4 seq, 5 role. */
export function hpke_test_ctx_layout(field: u32): u32 {
  switch (field) {
    case 0: return <u32>HPKE_CTX_BYTES;
    case 1: return <u32>HPKE_CTX_KEY;
    case 2: return <u32>HPKE_CTX_BASE_NONCE;
    case 3: return <u32>HPKE_CTX_EXPORTER;
    case 4: return <u32>HPKE_CTX_SEQ;
    default: return <u32>HPKE_CTX_ROLE;
  }
}

/** hpkeDeriveKeyPair. */
export function hpke_test_derive_key_pair(skOff: u32, pkOff: u32, ikmOff: u32, ikmLen: u32): i32 {
  return hpkeDeriveKeyPair(IO + skOff, IO + pkOff, IO + ikmOff, ikmLen);
}

/** hpkeEncap (wipes the ephemeral secret at skEOff). */
export function hpke_test_encap(ssOff: u32, encOff: u32, mode: u32, pkROff: u32, skSOff: u32, pkSOff: u32, skEOff: u32): i32 {
  return hpkeEncap(IO + ssOff, IO + encOff, mode, IO + pkROff, ptr(skSOff), ptr(pkSOff), IO + skEOff);
}

/** hpkeDecap. */
export function hpke_test_decap(ssOff: u32, mode: u32, encOff: u32, skROff: u32, pkROff: u32, pkSOff: u32): i32 {
  return hpkeDecap(IO + ssOff, mode, IO + encOff, IO + skROff, ptr(pkROff), ptr(pkSOff));
}

/** hpkeSetupSender. */
export function hpke_test_setup_sender(
  ctxOff: u32, mode: u32, pkROff: u32, skSOff: u32, pkSOff: u32,
  infoOff: u32, infoLen: u32, skEOff: u32, encOff: u32,
): i32 {
  return hpkeSetupSender(IO + ctxOff, mode, IO + pkROff, ptr(skSOff), ptr(pkSOff),
    IO + infoOff, infoLen, IO + skEOff, IO + encOff);
}

/** hpkeSetupReceiver. */
export function hpke_test_setup_receiver(
  ctxOff: u32, mode: u32, encOff: u32, skROff: u32, pkROff: u32, pkSOff: u32, infoOff: u32, infoLen: u32,
): i32 {
  return hpkeSetupReceiver(IO + ctxOff, mode, IO + encOff, IO + skROff, ptr(pkROff), ptr(pkSOff),
    IO + infoOff, infoLen);
}

/** hpkeSeal. */
export function hpke_test_seal(ctxOff: u32, aadOff: u32, aadLen: u32, ptOff: u32, ptLen: u32, outOff: u32): i32 {
  return hpkeSeal(IO + ctxOff, IO + aadOff, aadLen, IO + ptOff, ptLen, IO + outOff);
}

/** hpkeOpen. */
export function hpke_test_open(ctxOff: u32, aadOff: u32, aadLen: u32, ctOff: u32, ctLen: u32, outOff: u32): i32 {
  return hpkeOpen(IO + ctxOff, IO + aadOff, aadLen, IO + ctOff, ctLen, IO + outOff);
}

/** hpkeExport. */
export function hpke_test_export(ctxOff: u32, ecOff: u32, ecLen: u32, outLen: u32, outOff: u32): i32 {
  return hpkeExport(IO + ctxOff, IO + ecOff, ecLen, outLen, IO + outOff);
}
