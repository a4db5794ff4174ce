// TRANSPORT from a device (protocol §6, §7): session by index, age and counter
// limits, authenticate, then replay (UDP window) or strict order (TCP, else the
// connection closes); the first record on a new session confirms it (§4); DATA
// frames go to onData and are ACKed once delivered.

import { FRAME_DATA } from '../protocol/constants.ts';
import { decodeFrames } from '../protocol/frames.ts';
import type { Transport } from '../protocol/messages.ts';
import type { Channel } from './channel.ts';
import type { Endpoint } from './endpoint.ts';
import type { Session } from './session.ts';

export function handleTransport(ch: Channel, m: Transport, ep: Endpoint): void {
  const s = ch.table.get(m.receiver);
  if (s === undefined || s.kind !== 'session') return ch.drop('unknown-index', ep);
  if (s.endpoint.kind !== ep.kind || (ep.kind === 'tcp' && s.endpoint !== ep)) return ch.drop('wrong-transport', ep);
  const now = ch.clock.now();
  if (now - s.createdAt >= ch.limits.rejectAfterTime) return ch.drop('expired-session', ep);
  if (m.counter < 0 || m.counter >= ch.limits.rejectAfterMessages) return ch.drop('counter-limit', ep);
  if (s.window !== null && !s.window.check(m.counter)) return ch.drop('replay', ep); // cheap pre-test, no state change
  const plaintext = s.open(m.counter, m.ciphertext);
  if (plaintext === null) return ch.drop('aead', ep);
  if (s.window !== null) {
    if (!s.window.accept(m.counter)) return ch.drop('replay', ep);
  } else if (m.counter !== s.nextRecv) {
    ch.drop('tcp-out-of-order', ep);
    ep.close();
    return;
  } else {
    s.nextRecv++;
  }
  ch.metrics.recordsIn++;
  if (!s.confirmed) {
    ch.table.confirm(s);
    ch.metrics.handshakes.sessionsConfirmed++;
  }
  if (ep.kind === 'udp') s.endpoint = ep; // the device may roam (WireGuard §2)

  const frames = decodeFrames(plaintext);
  if (frames === null) return ch.drop('bad-frames', ep);
  let data = 0;
  for (const f of frames) if (f.kind === FRAME_DATA) data++;
  if (data > 0) deliver(ch, s, m.counter, frames.filter((f) => f.kind === FRAME_DATA).map((f) => (f as { data: Uint8Array }).data));

  if (!s.rekeySent && (now - s.createdAt >= ch.limits.rekeyAfterTime + ch.limits.rekeyJitter || m.counter >= ch.limits.rekeyAfterMessages)) {
    ch.sendRekey(s); // the device is overdue: ask before our own limits hit (§7)
  }
}

/** Hand every DATA body to onData in order; ACK the record once all were accepted. */
function deliver(ch: Channel, s: Session, counter: number, bodies: Uint8Array[]): void {
  const pending: Promise<void>[] = [];
  try {
    for (const b of bodies) {
      const r = ch.onData(s.did, b);
      if (r instanceof Promise) pending.push(r);
    }
  } catch (e) {
    ch.logger.warn('transport: onData failed', { did: s.did, error: String(e) });
    return ch.drop('deliver-failed');
  }
  const done = (): void => {
    ch.metrics.dataDelivered += bodies.length;
    ch.queueAck(s, counter);
  };
  if (pending.length === 0) return done();
  Promise.all(pending).then(done, (e: unknown) => {
    ch.logger.warn('transport: onData failed', { did: s.did, error: String(e) });
    ch.drop('deliver-failed');
  });
}
