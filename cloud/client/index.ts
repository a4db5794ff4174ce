// sealink/client: the retrieval library web and phone apps use to fetch,
// open and verify a device's sealed readings (docs/api.md, docs/readings.md).
// Runs in Node and browsers: fetch, WebSocket, @noble and jose only.
//
// Authentication: every request carries a short-lived JWT (EdDSA) signed by
// the owner's did:key: iss = owner DID, aud = "sealink-relay", iat, exp
// (TOKEN_LIFETIME_S, at most 5 min). Readings are opened with the owner's
// X25519 key (derived from the same seed) and checked with verifyDeviceStream:
// the relay's misbehaviour comes back as issues, never hidden.

import { SignJWT, importJWK, base64url } from 'jose';
import { ed25519 } from '@noble/curves/ed25519.js';
import { identityFromSeed, ed25519FromDid } from '../keys/did.ts';
import { verifyDeviceStream, type VerifiedReading, type StreamIssue, type StreamRecord } from '../readings/index.ts';

/** JWT audience of the relay API. */
export const AUDIENCE = 'sealink-relay';
/** Lifetime of each token, seconds (the relay refuses more than 300). */
export const TOKEN_LIFETIME_S = 120;
/** Page size asked of the relay. */
export const PAGE_LIMIT = 500;

/** Signs for an identity held elsewhere (a wallet, a hardware key). */
export interface Signer {
  /** did:key of the Ed25519 key. */
  did: string;
  /** Ed25519 signature of `data`. */
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Minimal WebSocket shape (the browser's, or the `ws` package's in Node). */
export interface WebSocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** Relay base URL, e.g. https://relay.example (http(s); ws(s) derived from it). */
  baseUrl: string;
  /** SECRET. The owner's 32-byte Ed25519 seed: signs tokens and opens readings. */
  ownerSeed?: Uint8Array;
  /** Alternative to ownerSeed: an external signer plus the reader's X25519 secret. */
  signer?: Signer;
  /** SECRET. The reader's X25519 secret key (needed with `signer`). */
  readerSecret?: Uint8Array;
  fetch?: typeof fetch;
  WebSocket?: WebSocketCtor;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface DeviceInfo { did: string; name: string; enrolledAt: number; revoked: boolean }

export interface ReadingsQuery {
  /** did:key of the device. */
  device: string;
  feed?: number;
  /** receivedAt window, ms since the Unix epoch: from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

export interface ReadingsResult { readings: VerifiedReading[]; issues: StreamIssue[] }

/** A failed API call. `code` is stable: 'http' (status in `status`), 'protocol' (malformed answer). */
export class ClientError extends Error {
  constructor(readonly code: 'http' | 'protocol', message: string, readonly status?: number) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface Client {
  /** did:key the client authenticates as. */
  readonly did: string;
  /** A fresh bearer token (cached until shortly before it expires). */
  token(): Promise<string>;
  listDevices(): Promise<DeviceInfo[]>;
  readings(query: ReadingsQuery): Promise<ReadingsResult>;
  /** Follows a device live; returns a handle to stop. */
  live(device: string, onReading: (r: VerifiedReading) => void, options?: { onIssue?: (i: StreamIssue) => void }): { close(): void };
}

// base64 (standard, padded) without node:buffer.
export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

interface WireRecord { record: string; receivedAt?: number }
function wireRecord(x: unknown): StreamRecord {
  const r = x as WireRecord;
  if (typeof r !== 'object' || r === null || typeof r.record !== 'string') throw new ClientError('protocol', 'relay: malformed record entry');
  try {
    return { bytes: fromBase64(r.record), receivedAt: typeof r.receivedAt === 'number' ? r.receivedAt : undefined };
  } catch {
    throw new ClientError('protocol', 'relay: record is not base64');
  }
}

/** Creates a client. TypeError / RangeError for wrong options. */
export function createClient(options: ClientOptions): Client {
  const base = options.baseUrl?.replace(/\/+$/, '');
  if (typeof base !== 'string' || !/^https?:\/\//.test(base)) throw new TypeError('baseUrl: expected an http(s) URL');
  const doFetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (!doFetch) throw new TypeError('fetch: none available, pass options.fetch');
  const now = options.now ?? Date.now;
  let did: string;
  let readerSecret: Uint8Array;
  let signToken: (claims: Record<string, unknown>) => Promise<string>;
  if (options.ownerSeed !== undefined) {
    if (!(options.ownerSeed instanceof Uint8Array)) throw new TypeError('ownerSeed: expected Uint8Array');
    if (options.ownerSeed.length !== 32) throw new RangeError('ownerSeed: expected 32 bytes');
    const id = identityFromSeed(options.ownerSeed);
    did = id.did;
    readerSecret = id.x25519Secret;
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url.encode(id.ed25519PublicKey), d: base64url.encode(id.seed) };
    const key = importJWK(jwk, 'EdDSA');
    signToken = async (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(await key);
  } else if (options.signer !== undefined) {
    const signer = options.signer;
    ed25519FromDid(signer.did);
    did = signer.did;
    if (!(options.readerSecret instanceof Uint8Array) || options.readerSecret.length !== 32) {
      throw new TypeError('readerSecret: 32-byte Uint8Array required with a signer');
    }
    readerSecret = options.readerSecret.slice();
    const enc = new TextEncoder();
    signToken = async (claims) => {
      const head = base64url.encode(enc.encode(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })));
      const body = base64url.encode(enc.encode(JSON.stringify(claims)));
      const sig = await signer.sign(enc.encode(`${head}.${body}`));
      return `${head}.${body}.${base64url.encode(sig)}`;
    };
  } else {
    throw new TypeError('ownerSeed or signer is required');
  }

  let cached: { token: string; exp: number } | null = null;
  async function token(): Promise<string> {
    const t = Math.floor(now() / 1000);
    if (cached && cached.exp - t > 30) return cached.token;
    const exp = t + TOKEN_LIFETIME_S;
    const jti = base64url.encode(ed25519.utils.randomSecretKey().subarray(0, 12));
    cached = { token: await signToken({ iss: did, aud: AUDIENCE, iat: t, exp, jti }), exp };
    return cached.token;
  }

  async function get(path: string): Promise<unknown> {
    const res = await doFetch(`${base}${path}`, { headers: { authorization: `Bearer ${await token()}`, accept: 'application/json' } });
    if (!res.ok) throw new ClientError('http', `relay: ${res.status} on ${path.split('?')[0]}`, res.status);
    try {
      return await res.json();
    } catch {
      throw new ClientError('protocol', 'relay: answer is not JSON');
    }
  }

  const devicePath = (device: string) => {
    ed25519FromDid(device); // TypeError for anything but an Ed25519 did:key
    return `/v1/devices/${encodeURIComponent(device)}`;
  };

  return {
    did,
    token,
    async listDevices() {
      const list = await get('/v1/devices');
      if (!Array.isArray(list)) throw new ClientError('protocol', 'relay: /v1/devices is not a list');
      return list as DeviceInfo[];
    },
    async readings({ device, feed, from, to }) {
      const records: StreamRecord[] = [];
      let after: string | null = null;
      for (;;) {
        const q = new URLSearchParams({ limit: String(PAGE_LIMIT) });
        if (from !== undefined) q.set('from', String(from));
        if (to !== undefined) q.set('to', String(to));
        if (after !== null) q.set('afterSeq', after);
        const page = await get(`${devicePath(device)}/records?${q}`) as { records?: unknown; next?: unknown };
        if (!page || !Array.isArray(page.records)) throw new ClientError('protocol', 'relay: records page without records');
        records.push(...page.records.map(wireRecord));
        if (page.next === null || page.next === undefined || page.records.length === 0) break;
        after = String(page.next);
      }
      const windowed = from !== undefined || to !== undefined;
      const v = verifyDeviceStream(device, records, readerSecret, { anchor: windowed ? 'first' : 'genesis' });
      const inWindow = (r: VerifiedReading) => r.receivedAt === undefined
        || ((from === undefined || r.receivedAt >= from) && (to === undefined || r.receivedAt < to));
      return { readings: v.readings.filter((r) => (feed === undefined || r.feed === feed) && inWindow(r)), issues: v.issues };
    },
    live(device, onReading, opts = {}) {
      const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
      if (!WS) throw new TypeError('WebSocket: none available, pass options.WebSocket');
      const path = devicePath(device);
      let socket: WebSocketLike | null = null;
      let closed = false;
      const records: StreamRecord[] = [];
      let delivered = 0n;
      const seen = new Set<string>();
      const onMessage = (ev: { data: unknown }) => {
        let rec: StreamRecord;
        try {
          rec = wireRecord(JSON.parse(typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as Uint8Array)));
        } catch {
          opts.onIssue?.({ kind: 'forged', what: 'malformed', detail: 'live: malformed message' });
          return;
        }
        records.push(rec);
        // Re-verify the retained window (the current and the last closed epoch; at most ~2 x 80 records).
        const v = verifyDeviceStream(device, records, readerSecret, { anchor: 'first' });
        for (const r of v.readings) if (r.seq > delivered) { delivered = r.seq; onReading(r); }
        for (const i of v.issues) {
          const k = `${i.kind}|${i.what}|${i.epoch}|${i.from}|${i.seq}`;
          if (i.kind !== 'open' && !seen.has(k)) { seen.add(k); opts.onIssue?.(i); }
        }
        const bytes = rec instanceof Uint8Array ? rec : rec.bytes;
        if (bytes[0] === 3 && !v.issues.some((i) => i.kind === 'forged' && i.what === 'epoch-close')) {
          const epoch = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1, true);
          const keep = records.filter((r) => new DataView((r as { bytes: Uint8Array }).bytes.buffer).getUint32(1, true) >= epoch);
          records.splice(0, records.length, ...keep);
        }
      };
      (async () => {
        const url = `${base.replace(/^http/, 'ws')}${path}/live?access_token=${encodeURIComponent(await token())}`;
        if (closed) return;
        socket = new WS(url);
        socket.onmessage = onMessage;
        socket.onerror = () => opts.onIssue?.({ kind: 'open', detail: 'live: connection error' });
      })().catch(() => opts.onIssue?.({ kind: 'open', detail: 'live: could not connect' }));
      return { close() { closed = true; socket?.close(); } };
    },
  };
}
