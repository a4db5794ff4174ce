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
import { verifyDeviceStream, type VerifiedReading, type StreamIssue } from '../readings/verify.ts';
import { startLive, type LiveHandle, type LiveOptions, type LiveReadingHandler, type WebSocketCtor } from './live.ts';
import { ClientError, wireEntry, type WireEntry } from './wire.ts';

export { ClientError, fromBase64, toBase64 } from './wire.ts';
export {
  CLOSE_TOKEN_EXPIRED, LIVE_STABLE_MS, RESUME_OVERLAP_MS, LIVE_MAX_RECORDS, LIVE_HOLD_MS, LIVE_HOLD_READINGS,
  type LiveOptions, type LiveHandle, type LiveCloseInfo, type ReconnectOptions, type HoldOptions,
  type LiveReadingInfo, type LiveReadingHandler, type WebSocketLike, type WebSocketCtor,
} from './live.ts';
export type { VerifiedReading, StreamIssue } from '../readings/verify.ts';

/** JWT audience of the relay API. */
export const AUDIENCE = 'sealink-relay';
/** Lifetime of each token, seconds (the relay refuses more than 300). */
export const TOKEN_LIFETIME_S = 120;
/** A cached token is replaced when it has less than this left, seconds. */
export const TOKEN_RENEW_S = 30;
/** Page size asked of the relay. */
export const PAGE_LIMIT = 500;

/** Signs for an identity held elsewhere (a wallet, a hardware key). */
export interface Signer {
  /** did:key of the Ed25519 key. */
  did: string;
  /** Ed25519 signature of `data`. */
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface ClientOptions {
  /** Relay base URL, e.g. https://relay.example (http(s); ws(s) derived from it). */
  baseUrl: string;
  /** SECRET. The owner's 32-byte Ed25519 seed: signs tokens and opens readings. */
  ownerSeed?: Uint8Array;
  /** Alternative to ownerSeed: an external signer plus the reader's X25519 secret. */
  signer?: Signer;
  /** SECRET. The reader's X25519 secret key (needed with `signer`). */
  readerSecret?: Uint8Array;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Default: globalThis.WebSocket (browsers); the Node entry defaults to the `ws` package. */
  WebSocket?: WebSocketCtor;
  /** Clock in ms (tests): token times and the default `since` of live(). */
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

export interface Client {
  /** did:key the client authenticates as. */
  readonly did: string;
  /** A bearer token (cached until TOKEN_RENEW_S before it expires). */
  token(): Promise<string>;
  listDevices(): Promise<DeviceInfo[]>;
  readings(query: ReadingsQuery): Promise<ReadingsResult>;
  /**
   * Follows a device live: `onReading(reading, { source, late })` once per
   * reading (verified, decrypted), in ascending seq, across reconnects and
   * token renewals; see cloud/client/live.ts.
   */
  live(device: string, onReading: LiveReadingHandler, options?: LiveOptions): LiveHandle;
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
  async function token(fresh = false): Promise<string> {
    const t = Math.floor(now() / 1000);
    if (!fresh && cached && cached.exp - t > TOKEN_RENEW_S) return cached.token;
    const exp = t + TOKEN_LIFETIME_S;
    const jti = base64url.encode(ed25519.utils.randomSecretKey().subarray(0, 12));
    cached = { token: await signToken({ iss: did, aud: AUDIENCE, iat: t, exp, jti }), exp };
    return cached.token;
  }

  async function get(path: string): Promise<unknown> {
    let res = await doFetch(`${base}${path}`, { headers: { authorization: `Bearer ${await token()}`, accept: 'application/json' } });
    if (res.status === 401) {
      // Once more with a new token: the cached one may be expired by the relay's clock.
      await res.body?.cancel().catch(() => {});
      res = await doFetch(`${base}${path}`, { headers: { authorization: `Bearer ${await token(true)}`, accept: 'application/json' } });
    }
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

  /** Every record of `device` the relay returns for the window, through its pages. */
  async function fetchRecords(device: string, from: number | undefined, to: number | undefined): Promise<WireEntry[]> {
    const out: WireEntry[] = [];
    let after: string | null = null;
    for (;;) {
      const q = new URLSearchParams({ limit: String(PAGE_LIMIT) });
      if (from !== undefined) q.set('from', String(from));
      if (to !== undefined) q.set('to', String(to));
      if (after !== null) q.set('afterSeq', after);
      const page = await get(`${devicePath(device)}/records?${q}`) as { records?: unknown; next?: unknown };
      if (!page || !Array.isArray(page.records)) throw new ClientError('protocol', 'relay: records page without records');
      out.push(...page.records.map(wireEntry));
      if (page.next === null || page.next === undefined || page.records.length === 0) return out;
      after = String(page.next);
    }
  }

  return {
    did,
    token: () => token(),
    async listDevices() {
      const list = await get('/v1/devices');
      if (!Array.isArray(list)) throw new ClientError('protocol', 'relay: /v1/devices is not a list');
      return list as DeviceInfo[];
    },
    async readings({ device, feed, from, to }) {
      const entries = await fetchRecords(device, from, to);
      const windowed = from !== undefined || to !== undefined;
      const v = verifyDeviceStream(device, entries.map(({ bytes, receivedAt }) => ({ bytes, receivedAt })), readerSecret,
        { anchor: windowed ? 'first' : 'genesis' });
      const inWindow = (r: VerifiedReading) => r.receivedAt === undefined
        || ((from === undefined || r.receivedAt >= from) && (to === undefined || r.receivedAt < to));
      return { readings: v.readings.filter((r) => (feed === undefined || r.feed === feed) && inWindow(r)), issues: v.issues };
    },
    live(device, onReading, liveOptions = {}) {
      const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
      if (!WS) throw new TypeError('WebSocket: none available, pass options.WebSocket');
      const path = devicePath(device);
      if (typeof onReading !== 'function') throw new TypeError('onReading: expected a function');
      return startLive({
        device, readerSecret, WebSocket: WS, now,
        url: (t) => `${base.replace(/^http/, 'ws')}${path}/live?access_token=${encodeURIComponent(t)}`,
        token: (fresh) => token(fresh),
        fetchRecords: (from) => fetchRecords(device, from, undefined),
      }, onReading, liveOptions);
    },
  };
}
