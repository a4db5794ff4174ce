// ENROLL_INIT (protocol §3, §5, §8): claim lookup and mac1 before any DH, then
// the replay filter (an `e` already answered for this claim is dropped), then
// admission under load, then XXpsk3 messages 1 (read) and 2 (ENROLL_RESP),
// whose header (with our index) is hashed before it is written, so message 2's
// tags authenticate the header (§2).
// Everything after the registry lookup runs without an await, so two copies of
// one message arriving together cannot both pass the replay filter.

import { HandshakeState } from '../noise/handshake-state.ts';
import { concatBytes } from '../protocol/bytes.ts';
import { KEY_BYTES, PROLOGUE_ENROLL_PREFIX } from '../protocol/constants.ts';
import { mac1Key, verifyMac1 } from '../protocol/macs.ts';
import { ENROLL_INIT_MAC1, ENROLL_RESP_NOISE_BYTES, encodeEnrollResp, type EnrollInit } from '../protocol/messages.ts';
import { bindResponseHeader, RESPONSE_HEADER_BYTES } from '../protocol/response-header.ts';
import type { Channel } from './channel.ts';
import type { Endpoint } from './endpoint.ts';
import { EnrollmentState } from './enrollment-state.ts';
import type { ClaimRecord } from './registry.ts';

export async function handleEnrollInit(ch: Channel, m: EnrollInit, ep: Endpoint): Promise<void> {
  let claim: ClaimRecord | undefined;
  try {
    claim = await ch.registry.claimById(m.claimId);
  } catch (e) {
    ch.logger.error('enroll: registry lookup failed', { error: String(e) });
    return ch.drop('registry-error', ep);
  }
  // Unknown, expired or used claim, or a wrong mac1: dropped before any DH (§3, §8).
  if (claim === undefined) return ch.drop('unknown-claim', ep);
  if (ch.clock.now() >= claim.expiresAt) return ch.drop('claim-expired', ep);
  if (claim.used) return ch.drop('claim-used', ep);
  if (!verifyMac1(m.bytes, ENROLL_INIT_MAC1, mac1Key(ch.relayStatic, claim.claimPsk))) return ch.drop('mac1', ep);
  // A replay of an answered ENROLL_INIT: no DH, no reply, and the live enrollment stays (§3).
  const key = Buffer.from(m.claimId).toString('hex');
  const e = m.noise.subarray(0, KEY_BYTES);
  if (ch.answered.has(key, e)) return ch.drop('replayed-enroll-init', ep);
  if (!ch.admit(m.bytes, ENROLL_INIT_MAC1, m.sender, ep)) return;
  if (ch.closed) return;
  ch.metrics.handshakes.enrollInits++;

  const hs = new HandshakeState({
    pattern: 'XXpsk3', initiator: false, prologue: concatBytes(PROLOGUE_ENROLL_PREFIX, m.claimId),
    s: ch.staticKey, psk: claim.claimPsk, onDh: ch.onDh,
  });
  try {
    hs.readMessage(m.noise); // "-> e" (+ the empty payload's tag): no DH
  } catch {
    hs.wipe();
    return ch.drop('handshake-auth', ep);
  }
  const index = ch.table.allocateIndex(); // no await from here to addEnrollment: nobody else can take it
  const resp = encodeEnrollResp(index, m.sender, new Uint8Array(ENROLL_RESP_NOISE_BYTES));
  bindResponseHeader(hs, resp);
  resp.set(hs.writeMessage(), RESPONSE_HEADER_BYTES); // "<- e, ee, s, es"

  ch.answered.add(key, e, claim.expiresAt);
  const older = ch.enrollByClaim.get(key);
  if (older !== undefined && older.done === null && !older.busy) ch.removeEnrollment(older);
  const state = new EnrollmentState(index, m.sender, claim, hs, ch.clock.now());
  ch.table.addEnrollment(state);
  ch.enrollByClaim.set(key, state);
  ep.send(resp);
}
