// The relay's HTTP + WebSocket API (docs/api.md) on node:http and `ws`:
//   GET  /healthz                      liveness (no auth)
//   GET  /metrics                      Prometheus text (no auth)
//   GET  /v1/devices                   the caller's devices
//   GET  /v1/devices/:did/records      sealed records, device order, pages
//   WS   /v1/devices/:did/live         new records as they commit
//   POST /v1/claims                    a one-time claim and its bundle
//   POST /v1/devices/:did/revoke       revoke: sessions end now, handshakes refused
// Every /v1 call carries an owner's bearer JWT (api/auth.ts); the caller must
// be a configured owner (else 401) and own the device (else 403; 404 unknown).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { encodeClaimBundle } from '../app/claim-bundle.ts';
import { isHost } from '../app/config.ts';
import type { AppMetrics } from '../app/metrics.ts';
import { createClaim } from '../relay/claims.ts';
import type { DeviceRecord, Store } from '../store/index.ts';
import type { Logger } from '../util/log.ts';
import { bearer, TokenVerifier, type VerifiedToken } from './auth.ts';
import { ApiError } from './errors.ts';
import type { LiveHub } from './live.ts';
import { parseRecordsQuery, queryRecords } from './records.ts';

const BODY_MAX_BYTES = 4096;

export interface ApiServerOptions {
  store: Store;
  /** Revoke `did` in the registry and end its sessions (ChannelServer.revoke). */
  revoke(did: string): Promise<void>;
  /** Device ports and the relay identity for claim bundles. */
  relayDid: string;
  udpPort: number;
  tcpPort: number;
  /** Host put into claim bundles; default the Host header of the request. */
  publicHost?: string;
  /** Longest claim lifetime, ms (also the default). */
  claimLifetimeMs: number;
  live: LiveHub;
  metrics: AppMetrics;
  renderMetrics(): string;
  logger: Logger;
  host: string;
  port: number;
  /** True while the relay serves (false during shutdown: /healthz says 503). */
  ready(): boolean;
  verifier?: TokenVerifier;
}

export interface ApiServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  name: string;
  run(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, url: URL): Promise<void> | void;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'content-type': type === 'application/json' ? 'application/json; charset=utf-8' : type, 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > BODY_MAX_BYTES) throw new ApiError('PAYLOAD_TOO_LARGE');
    chunks.push(c as Buffer);
  }
  if (n === 0) return {};
  let v: unknown;
  try { v = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { throw new ApiError('BAD_REQUEST', 'body: not JSON'); }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ApiError('BAD_REQUEST', 'body: expected a JSON object');
  return v as Record<string, unknown>;
}

/** The hostname of a Host header (no port, no IPv6 brackets), if it is one. */
function hostOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:]+))(?::\d+)?$/.exec(header);
  const h = m === null ? undefined : (m[1] ?? m[2]);
  return h !== undefined && isHost(h) ? h : undefined;
}

/** Start the API on host:port (0: a free port). */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const verifier = o.verifier ?? new TokenVerifier();
  const log = o.logger;

  async function caller(token: string | undefined): Promise<VerifiedToken> {
    if (token === undefined) throw new ApiError('UNAUTHORIZED', 'unauthorized', 'no bearer token');
    const t = await verifier.verify(token);
    if ((await o.store.getOwner(t.did)) === undefined) throw new ApiError('UNAUTHORIZED', 'unauthorized', `not an owner of this relay: ${t.did}`);
    return t;
  }

  async function ownedDevice(t: VerifiedToken, did: string): Promise<DeviceRecord> {
    const d = await o.store.getDevice(did);
    if (d === undefined) throw new ApiError('NOT_FOUND', 'unknown device');
    if (d.owner !== t.did) throw new ApiError('FORBIDDEN', 'not your device');
    return d;
  }

  const auth = (req: IncomingMessage): Promise<VerifiedToken> => caller(bearer(req.headers.authorization));
  const did = (m: RegExpExecArray): string => decodeURIComponent(m[1]);

  const routes: Route[] = [
    {
      method: 'GET', pattern: /^\/healthz$/, name: 'healthz',
      run: (_req, res) => (o.ready() ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'shutting-down' })),
    },
    {
      method: 'GET', pattern: /^\/metrics$/, name: 'metrics',
      run: (_req, res) => send(res, 200, o.renderMetrics(), 'text/plain; version=0.0.4; charset=utf-8'),
    },
    {
      method: 'GET', pattern: /^\/v1\/devices$/, name: 'devices',
      async run(req, res) {
        const t = await auth(req);
        const list = await o.store.listDevicesByOwner(t.did);
        send(res, 200, list.map((d) => ({ did: d.did, name: d.name, enrolledAt: d.registeredAt, revoked: d.revoked })));
      },
    },
    {
      method: 'GET', pattern: /^\/v1\/devices\/([^/]+)\/records$/, name: 'records',
      async run(req, res, m, url) {
        const t = await auth(req);
        const d = await ownedDevice(t, did(m));
        send(res, 200, await queryRecords(o.store, d.did, parseRecordsQuery(url.searchParams)));
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/devices\/([^/]+)\/revoke$/, name: 'revoke',
      async run(req, res, m) {
        const t = await auth(req);
        const d = await ownedDevice(t, did(m));
        await o.revoke(d.did);
        log.info('api: device revoked', { device: d.did, by: t.did });
        send(res, 200, { did: d.did, revoked: true });
      },
    },
    {
      method: 'POST', pattern: /^\/v1\/claims$/, name: 'claims',
      async run(req, res) {
        const t = await auth(req);
        const body = await readJson(req);
        let lifetimeMs = o.claimLifetimeMs;
        if (body.lifetimeSec !== undefined) {
          const s = body.lifetimeSec;
          if (typeof s !== 'number' || !Number.isInteger(s) || s < 10 || s * 1000 > o.claimLifetimeMs) {
            throw new ApiError('BAD_REQUEST', `lifetimeSec: expected an integer 10..${o.claimLifetimeMs / 1000}`);
          }
          lifetimeMs = s * 1000;
        }
        const host = o.publicHost ?? hostOf(req.headers.host);
        if (host === undefined) throw new ApiError('BAD_REQUEST', 'no usable Host header: configure publicHost');
        const c = createClaim(t.did, Date.now(), lifetimeMs);
        await o.store.createClaim(c.record);
        // ownerDid: the authenticated owner. The owner's own tools put their
        // local key in regardless (cloud/cli/claim.ts): this is a convenience.
        const bundle = {
          relayDid: o.relayDid, host, udpPort: o.udpPort, tcpPort: o.tcpPort, claimId: c.claimId, claimToken: c.claimToken,
          ownerDid: t.did,
        };
        log.info('api: claim created', { by: t.did, claimId: Buffer.from(c.claimId).toString('hex'), expiresAt: c.record.expiresAt });
        send(res, 201, {
          claimId: Buffer.from(c.claimId).toString('hex'),
          claimToken: Buffer.from(c.claimToken).toString('base64url'),
          expiresAt: c.record.expiresAt,
          relayDid: o.relayDid, host, udpPort: o.udpPort, tcpPort: o.tcpPort,
          bundle: encodeClaimBundle(bundle),
        });
        c.claimToken.fill(0);
      },
    },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://relay'); } catch { url = new URL('http://relay/'); }
    let name = 'unknown';
    try {
      let matched = false;
      for (const r of routes) {
        const m = r.pattern.exec(url.pathname);
        if (m === null) continue;
        matched = true;
        if (r.method !== req.method) continue;
        name = r.name;
        await r.run(req, res, m, url);
        return;
      }
      throw new ApiError(matched ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND');
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('INTERNAL', 'internal error', String(e));
      if (err.code === 'INTERNAL') log.error('api: request failed', { route: name, error: err.detail });
      else if (err.detail !== undefined) log.debug('api: refused', { route: name, code: err.code, why: err.detail });
      if (!res.headersSent) send(res, err.status, { error: { code: err.code, message: err.message } });
      else res.destroy();
    } finally {
      o.metrics.countRequest(name, res.statusCode);
      // The path only: a query string may carry an access_token.
      log.debug('api: request', { method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) });
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://relay'); } catch { return refuse(400, 'Bad Request'); }
    const m = /^\/v1\/devices\/([^/]+)\/live$/.exec(url.pathname);
    if (m === null) return refuse(404, 'Not Found');
    try {
      const t = await caller(bearer(req.headers.authorization) ?? url.searchParams.get('access_token') ?? undefined);
      const d = await ownedDevice(t, did(m));
      if (!o.ready()) return refuse(503, 'Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', () => {}); // the feed is one-way; clients may ping
        ws.on('error', () => {});
        o.live.add(d.did, ws, t.expiresAt);
      });
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('INTERNAL', 'internal error', String(e));
      if (err.code === 'INTERNAL') log.error('api: live upgrade failed', { error: err.detail });
      refuse(err.status, err.code === 'UNAUTHORIZED' ? 'Unauthorized' : err.code === 'FORBIDDEN' ? 'Forbidden' : err.code === 'NOT_FOUND' ? 'Not Found' : 'Error');
    }
  }

  const server: Server = createServer((req, res) => { void handle(req, res); });
  server.on('upgrade', (req, socket, head) => { socket.on('error', () => {}); void upgrade(req, socket, head); });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
  let closing: Promise<void> | null = null;
  return {
    host: o.host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        o.live.closeAll();
        for (const ws of wss.clients) ws.terminate();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
