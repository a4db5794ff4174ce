// What the demo prints: one line per reading, the banner and the summary.
// Plain text, no colours: it goes to terminals, logs and tests alike.

import type { StreamIssue, VerifiedReading } from '../client/index.ts';
import { FEEDS, parseClimate, type FeedId } from '../sim/weather.ts';

/** "z6Mk…Xy12ab": enough of a did:key to tell devices apart on one screen. */
export function shortDid(did: string): string {
  const id = did.startsWith('did:key:') ? did.slice(8) : did;
  return id.length <= 14 ? id : `${id.slice(0, 4)}…${id.slice(-6)}`;
}

/** The line for one decrypted, verified reading of `device`; `name` is the sensor's label; `fetched`: it came through a catch-up fetch. */
export function readingLine(name: string, device: string, r: VerifiedReading, now: number = Date.now(), fetched = false): string {
  const feed = FEEDS[r.feed as FeedId];
  const p = parseClimate(r.payload);
  let value: string;
  if (feed !== undefined && p !== null && typeof p[feed.key] === 'number') value = `${p[feed.key]!.toFixed(feed.decimals)} ${feed.unit}`;
  else value = `${r.payload.length} bytes`;
  const latency = p === null ? '' : `  latency ${Math.max(0, now - p.at)} ms`;
  const feedName = `feed ${r.feed}${feed === undefined ? '' : ` ${feed.name}`}`;
  return `${name.padEnd(9)} ${shortDid(device).padEnd(11)}  ${feedName.padEnd(18)} seq ${String(r.seq).padStart(4)}  ${value.padStart(9)}${latency}${fetched ? '  (fetched)' : ''}`;
}

/** One line for an issue the client reported. */
export function issueLine(name: string, device: string, i: StreamIssue): string {
  return `${name.padEnd(9)} ${shortDid(device).padEnd(11)}  RELAY MISBEHAVIOUR: ${i.kind}${i.what ? ` (${i.what})` : ''}: ${i.detail}`;
}

/** Seconds with one decimal. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
