// SESSION_INIT (protocol §4, §5, §8): mac1 with the admission key before any DH,
// admission under load, then IKpsk2: "es" and the static key, the device lookup
// (unknown or revoked: dropped after that single DH), "ss" and the counter (must
// exceed the last accepted one), then SESSION_RESP. The counter is stored once
// the response is built and before it is sent. The response's header (with our
// index) is hashed before message 2 is written, so its tag authenticates the
// header (§2): our index is therefore chosen, and held, before the write.

import { HandshakeState } from '../noise/handshake-state.ts';
import { readU64 } from '../protocol/bytes.ts';
import { COUNTER_BYTES, PROLOGUE_SESSION } from '../protocol/constants.ts';
import { verifyMac1 } from '../protocol/macs.ts';
import { SESSION_INIT_MAC1, SESSION_RESP_NOISE_BYTES, encodeSessionResp, type SessionInit } from '../protocol/messages.ts';
import { bindResponseHeader, RESPONSE_HEADER_BYTES } from '../protocol/response-header.ts';
import type { Channel } from './channel.ts';
import type { Endpoint } from './endpoint.ts';
import type { DeviceRecord } from './registry.ts';
import { Session } from './session.ts';

export async function handleSessionInit(ch: Channel, m: SessionInit, ep: Endpoint): Promise<void> {
  if (!verifyMac1(m.bytes, SESSION_INIT_MAC1, ch.sessionMac1Key)) return ch.drop('mac1', ep);
  if (!ch.admit(m.bytes, SESSION_INIT_MAC1, m.sender, ep)) return;
  ch.metrics.handshakes.sessionInits++;

  const hs = new HandshakeState({ pattern: 'IKpsk2', initiator: false, prologue: PROLOGUE_SESSION, s: ch.staticKey, onDh: ch.onDh });
  let rs: Uint8Array;
  try {
    rs = hs.readMessageUntilStatic(m.noise); // "-> e, es, s"
  } catch {
    return ch.drop('handshake-auth', ep);
  }
  let device: DeviceRecord | undefined;
  try {
    device = await ch.registry.deviceByStatic(rs);
  } catch (e) {
    ch.logger.error('session: registry lookup failed', { error: String(e) });
    return ch.drop('registry-error', ep);
  }
  if (device === undefined) { hs.wipe(); return ch.drop('unknown-device', ep); }
  const did = device.did;
  if (device.revoked || ch.revokedHere.has(did)) { hs.wipe(); return ch.drop('revoked', ep); }

  let payload: Uint8Array;
  try {
    payload = hs.continueRead(); // "ss", then the encrypted counter
  } catch {
    hs.wipe();
    return ch.drop('handshake-auth', ep);
  }
  if (payload.length !== COUNTER_BYTES) { hs.wipe(); return ch.drop('handshake-auth', ep); }
  const counter = readU64(payload, 0);
  const seen = ch.counters.get(did) ?? 0n;
  const last = device.lastCounter > seen ? device.lastCounter : seen;
  if (counter <= last) { hs.wipe(); return ch.drop('replayed-initiation', ep); } // replayed or older (§4)

  hs.setPsk(device.devicePsk);
  // Held (not yet in the table) across the await below, so no other handshake takes it meanwhile.
  const index = ch.table.reserveIndex();
  try {
    const resp = encodeSessionResp(index, m.sender, new Uint8Array(SESSION_RESP_NOISE_BYTES));
    bindResponseHeader(hs, resp);
    resp.set(hs.writeMessage(), RESPONSE_HEADER_BYTES); // "<- e, ee, se, psk"
    const { send, recv } = hs.split();
    hs.wipe();
    ch.counters.set(did, counter); // synchronously with the check: a concurrent copy now fails it

    try {
      await ch.registry.setLastCounter(did, counter);
    } catch (e) {
      send.wipe(); recv.wipe();
      ch.logger.error('session: storing the counter failed', { error: String(e) });
      return ch.drop('registry-error', ep);
    }
    if (ch.closed || ch.revokedHere.has(did)) { send.wipe(); recv.wipe(); return ch.drop('revoked', ep); }

    const session = new Session(index, m.sender, did, send, recv, ch.clock.now(), ep,
      ch.limits.replayWindow, ch.limits.rejectAfterMessages);
    ch.table.installNext(session);
    ep.send(resp);
  } finally {
    ch.table.releaseIndex(index);
    hs.wipe();
  }
}
