// ENROLL_FINISH (protocol §3): XXpsk3 message 3, the DID check, registration,
// device_psk, and the ENROLLED record. A byte-identical retransmission of an
// accepted ENROLL_FINISH gets the same ENROLLED record again (no new work).

import { equalBytes } from '../noise/crypto.ts';
import { didFromEd25519, x25519FromEd25519 } from '../keys/did.ts';
import { FRAME_ENROLLED, KEY_BYTES } from '../protocol/constants.ts';
import { encodeFrames } from '../protocol/frames.ts';
import { devicePsk } from '../protocol/keys.ts';
import { encodeTransport, type EnrollFinish } from '../protocol/messages.ts';
import type { Channel } from './channel.ts';
import type { Endpoint } from './endpoint.ts';

const EMPTY = new Uint8Array(0);

export async function handleEnrollFinish(ch: Channel, m: EnrollFinish, ep: Endpoint): Promise<void> {
  const st = ch.table.get(m.receiver);
  if (st === undefined || st.kind !== 'enrollment') return ch.drop('unknown-index', ep);
  if (st.done !== null) {
    if (!equalBytes(st.done.finish, m.bytes)) return ch.drop('handshake-auth', ep);
    ep.send(st.done.enrolled);
    ch.metrics.recordsOut++;
    return;
  }
  if (st.busy || st.hs === null) return ch.drop('unknown-index', ep);

  // Read on a clone: a forged ENROLL_FINISH must not spoil the real one (§8).
  const trial = st.hs.clone();
  let edPub: Uint8Array;
  try {
    edPub = trial.readMessage(m.noise); // "-> s, se, psk"
  } catch {
    trial.wipe();
    return ch.drop('handshake-auth', ep);
  }
  const rs = trial.remoteStatic()!;
  let bound = false;
  try {
    bound = edPub.length === KEY_BYTES && equalBytes(x25519FromEd25519(edPub), rs);
  } catch { /* not a valid Ed25519 point */ }
  if (!bound) {
    trial.wipe();
    return ch.drop('enroll-key-mismatch', ep);
  }
  const did = didFromEd25519(edPub);
  const psk = devicePsk(trial.chainingKey());
  const { send, recv } = trial.split();
  trial.wipe();
  recv.wipe();
  st.hs.wipe();
  st.hs = null;
  st.busy = true;

  let ok = false;
  try {
    ok = ch.clock.now() < st.claim.expiresAt && await ch.registry.completeEnrollment({
      claimId: st.claim.claimId, did, staticKey: rs, ed25519PublicKey: edPub.slice(), devicePsk: psk, owner: st.claim.owner,
    });
  } catch (e) {
    ch.logger.error('enroll: registry update failed', { error: String(e) });
  }
  psk.fill(0);
  st.busy = false;
  if (!ok) {
    send.wipe();
    ch.removeEnrollment(st);
    return ch.drop('enroll-refused', ep); // claim used meanwhile, expired, or the DID is revoked
  }
  // A re-enrolled DID starts over: old sessions and the counter high-water go.
  ch.table.endDevice(did);
  ch.counters.delete(did);

  const enrolled = encodeTransport(st.peerIndex, 0,
    send.encryptAt(0, EMPTY, encodeFrames([{ kind: FRAME_ENROLLED, admissionKey: ch.admissionKey }])));
  send.wipe();
  st.done = { finish: m.bytes.slice(), enrolled };
  ch.metrics.handshakes.enrolled++;
  ch.logger.info('enroll: device enrolled', { did, owner: st.claim.owner });
  if (ch.closed) return;
  ep.send(enrolled);
  ch.metrics.recordsOut++;
}
