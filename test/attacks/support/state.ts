// "No state change" made checkable: a JSON snapshot of everything a dropped
// message must not move (protocol §8) — the registry (every device and claim),
// the channel's accepted-initiation counters, every session (indices, counters,
// replay window bitmap, confirmation) and every pending enrollment — and
// per-reason drop deltas.
//
// The registry and replay windows keep their maps private; this reads them
// through casts because the point is to see all of it, including records
// nobody would think to look up.

import type { Channel, ChannelMetrics, DropReason, MemoryRegistry } from '../../../cloud/relay/index.ts';
import { DROP_REASONS } from '../../../cloud/relay/index.ts';
import type { ReplayWindow } from '../../../cloud/protocol/replay-window.ts';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface RegistryInternals {
  devices: Map<string, { did: string; staticKey: Uint8Array; devicePsk: Uint8Array; lastCounter: bigint; revoked: boolean; owner: string }>;
  claims: Map<string, { used: boolean; expiresAt: number; owner: string }>;
}

function windowBits(w: ReplayWindow | null): string | null {
  if (w === null) return null;
  const ring = (w as unknown as { ring: Uint32Array }).ring;
  return `${w.highestAccepted}:${hex(new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength))}`;
}

/** Everything a dropped message must leave alone, as a comparable string. */
export function relayState(channel: Channel, registry: MemoryRegistry): string {
  const reg = registry as unknown as RegistryInternals;
  const devices = [...reg.devices.values()].map((d) => ({
    did: d.did, staticKey: hex(d.staticKey), psk: hex(d.devicePsk), lastCounter: String(d.lastCounter), revoked: d.revoked, owner: d.owner,
  })).sort((a, b) => a.did.localeCompare(b.did));
  const claims = [...reg.claims.entries()].map(([id, c]) => ({ id, used: c.used, expiresAt: c.expiresAt })).sort((a, b) => a.id.localeCompare(b.id));
  const counters = [...channel.counters.entries()].map(([did, c]) => [did, String(c)]).sort();
  const sessions = [...channel.table.sessions()].map((s) => ({
    index: s.index, peer: s.peerIndex, did: s.did, sendCounter: s.sendCounter, nextRecv: s.nextRecv,
    confirmed: s.confirmed, wiped: s.wiped, rekeySent: s.rekeySent, window: windowBits(s.window),
    current: channel.table.current(s.did) === s, endpoint: `${s.endpoint.kind}:${s.endpoint.port}`,
  })).sort((a, b) => a.index - b.index);
  const enrollments = [...channel.table.enrollments()].map((e) => ({
    index: e.index, peer: e.peerIndex, done: e.done !== null, busy: e.busy, live: e.hs !== null,
  })).sort((a, b) => a.index - b.index);
  return JSON.stringify({ devices, claims, counters, sessions, enrollments, tableSize: channel.table.size }, null, 1);
}

/** Deep copy of the metrics. */
export function metricsSnapshot(m: ChannelMetrics): ChannelMetrics {
  return JSON.parse(JSON.stringify(m)) as ChannelMetrics;
}

/** Drop counters that moved since `before`, as { reason: delta } (only non-zero ones). */
export function dropDelta(before: ChannelMetrics, after: ChannelMetrics): Partial<Record<DropReason, number>> {
  const out: Partial<Record<DropReason, number>> = {};
  for (const r of DROP_REASONS) {
    const d = after.drops[r] - before.drops[r];
    if (d !== 0) out[r] = d;
  }
  return out;
}

/** Sum of the drop deltas. */
export function dropTotal(before: ChannelMetrics, after: ChannelMetrics): number {
  let n = 0;
  for (const r of DROP_REASONS) n += after.drops[r] - before.drops[r];
  return n;
}
