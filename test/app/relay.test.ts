// The relay app end to end, in process: an owner creates a claim over the API,
// the TS reference device enrolls with the bundle and sends records, they are
// stored and listed with a valid JWT and refused otherwise; live feed; revoke;
// /healthz and /metrics.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SignJWT, importJWK } from 'jose';
import WebSocket from 'ws';
import { decodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { signApiToken } from '../../cloud/app/owner-key.ts';
import type { RelayApp } from '../../cloud/app/relay.ts';
import { DeviceClient, openUdpLink, openTcpLink } from '../../cloud/device/index.ts';
import type { Identity } from '../../cloud/keys/did.ts';
import {
  apiUrl, call, epochClose, epochOpen, newIdentity, reading, startTestRelay, tempDir, waitFor, within,
} from './support.ts';

async function rawToken(id: Identity, claims: { aud?: string; iat: number; exp: number }): Promise<string> {
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(id.ed25519PublicKey).toString('base64url'), d: Buffer.from(id.seed).toString('base64url') }, 'EdDSA');
  return new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).setIssuer(id.did).setAudience(claims.aud ?? 'sealink-relay')
    .setIssuedAt(claims.iat).setExpirationTime(claims.exp).sign(key);
}

async function enrollDevice(app: RelayApp, owner: Identity, transport: 'udp' | 'tcp' = 'udp'): Promise<{ client: DeviceClient; identity: Identity }> {
  const c = await call(app, 'POST', '/v1/claims', owner, {});
  assert.is(c.status, 201, JSON.stringify(c.json));
  const bundle = decodeClaimBundle(c.json.bundle);
  assert.is(bundle.relayDid, app.did);
  assert.is(bundle.host, '127.0.0.1');
  const identity = newIdentity();
  const link = transport === 'udp' ? await openUdpLink(bundle.host, bundle.udpPort!) : await openTcpLink(bundle.host, bundle.tcpPort!);
  const client = new DeviceClient({ identity, link });
  await within(client.enroll(bundle), 5000, 'enroll');
  await within(client.connect(), 5000, 'connect');
  return { client, identity };
}

test('claim, enroll, send, list with JWTs; refusals; live; revoke; healthz and metrics', async () => {
  const tmp = tempDir('e2e');
  const ownerA = newIdentity();
  const ownerB = newIdentity();
  const stranger = newIdentity();
  const app = await startTestRelay(tmp.dir, [ownerA, ownerB]);
  let dev: { client: DeviceClient; identity: Identity } | undefined;
  let ws: WebSocket | undefined;
  try {
    const health = await fetch(apiUrl(app, '/healthz'));
    assert.is(health.status, 200);

    // A claim needs an owner's token.
    assert.is((await call(app, 'POST', '/v1/claims', undefined, {})).status, 401);
    assert.is((await call(app, 'POST', '/v1/claims', stranger, {})).status, 401);

    dev = await enrollDevice(app, ownerA);
    const did = dev.identity.did;
    const enc = encodeURIComponent(did);

    // Live feed, authenticated by query parameter (as a browser would).
    const live: { record: string; receivedAt: number }[] = [];
    ws = new WebSocket(`ws://127.0.0.1:${app.api.port}/v1/devices/${enc}/live?access_token=${await signApiToken(ownerA)}`);
    ws.on('message', (m) => live.push(JSON.parse(String(m))));
    await new Promise<void>((res, rej) => { ws!.once('open', () => res()); ws!.once('error', rej); });

    const records = [epochOpen(1, 1), reading(1, 1), reading(1, 2), reading(1, 3), epochClose(1, 3, 3), epochOpen(2, 4), reading(2, 4)];
    for (const r of records) await within(dev.client.send(r), 3000, 'ack');
    // A retransmission is stored once; a malformed record is dropped (and ACKed).
    await within(dev.client.send(records[1]), 3000, 'ack duplicate');
    await within(dev.client.send(Uint8Array.of(9, 9, 9)), 3000, 'ack malformed');

    const list = await call(app, 'GET', '/v1/devices', ownerA);
    assert.is(list.status, 200);
    assert.equal(list.json.map((d: { did: string; revoked: boolean }) => [d.did, d.revoked]), [[did, false]]);
    assert.equal((await call(app, 'GET', '/v1/devices', ownerB)).json, []);

    const got = await call(app, 'GET', `/v1/devices/${enc}/records`, ownerA);
    assert.is(got.status, 200);
    assert.equal(got.json.records.map((r: { record: string }) => r.record), records.map((r) => Buffer.from(r).toString('base64')), 'device order');
    assert.is(got.json.next, null);
    // Pages of 3 through `next`.
    const paged: string[] = [];
    let after: string | null = '';
    while (after !== null) {
      const p = await call(app, 'GET', `/v1/devices/${enc}/records?limit=3${after === '' ? '' : `&afterSeq=${after}`}`, ownerA);
      assert.is(p.status, 200);
      paged.push(...p.json.records.map((r: { record: string }) => r.record));
      after = p.json.next;
    }
    assert.equal(paged, got.json.records.map((r: { record: string }) => r.record));
    // A window returns whole epochs.
    const now = Date.now();
    const w = await call(app, 'GET', `/v1/devices/${enc}/records?from=${now + 60_000}`, ownerA);
    assert.equal(w.json.records, []);

    await waitFor(() => live.length === records.length, 3000, 'live records');
    assert.equal(live.map((r) => r.record), records.map((r) => Buffer.from(r).toString('base64')));

    // Refusals.
    const t = Math.floor(Date.now() / 1000);
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, await rawToken(ownerA, { iat: t - 400, exp: t - 100 }))).status, 401, 'expired');
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, await rawToken(ownerA, { aud: 'someone-else', iat: t, exp: t + 60 }))).status, 401, 'wrong audience');
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, await rawToken(ownerA, { iat: t, exp: t + 3600 }))).status, 401, 'lifetime above 5 min');
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, 'not.a.jwt')).status, 401, 'garbage');
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, ownerB)).status, 403, 'another owner');
    assert.is((await call(app, 'GET', `/v1/devices/${enc}/records`, stranger)).status, 401, 'not an owner of this relay');
    assert.is((await call(app, 'POST', `/v1/devices/${enc}/revoke`, ownerB)).status, 403, 'another owner cannot revoke');
    assert.is((await call(app, 'GET', `/v1/devices/${encodeURIComponent(newIdentity().did)}/records`, ownerA)).status, 404);

    // Metrics.
    const m = await (await fetch(apiUrl(app, '/metrics'))).text();
    assert.match(m, /sealink_records_ingested_total\{kind="reading",result="stored"\} 4/);
    assert.match(m, /sealink_records_ingested_total\{kind="reading",result="duplicate"\} 1/);
    assert.match(m, /sealink_records_rejected_total 1/);
    assert.match(m, /sealink_store_commit_seconds_count 8/);
    assert.match(m, /sealink_channel_handshakes_total\{type="enrolled"\} 1/);
    assert.match(m, /# TYPE sealink_channel_drops_total counter/);

    // Revoke: the session ends at once and the next handshake is refused.
    assert.ok(app.channel.channel.table.current(did) !== undefined);
    const rv = await call(app, 'POST', `/v1/devices/${enc}/revoke`, ownerA);
    assert.is(rv.status, 200);
    assert.is(app.channel.channel.table.current(did), undefined, 'session ended');
    assert.equal((await call(app, 'GET', '/v1/devices', ownerA)).json[0].revoked, true);
    dev.client.rekey();
    await waitFor(() => app.channel.metrics.drops.revoked >= 1, 3000, 'handshake refused');
    assert.is(app.channel.channel.table.current(did), undefined);
  } finally {
    ws?.terminate();
    await dev?.client.close();
    await app.close();
    tmp.remove();
  }
});

test('live feed refuses a missing token and another owner', async () => {
  const tmp = tempDir('live');
  const ownerA = newIdentity();
  const ownerB = newIdentity();
  const app = await startTestRelay(tmp.dir, [ownerA, ownerB]);
  let dev: { client: DeviceClient; identity: Identity } | undefined;
  try {
    dev = await enrollDevice(app, ownerA, 'tcp');
    const url = `ws://127.0.0.1:${app.api.port}/v1/devices/${encodeURIComponent(dev.identity.did)}/live`;
    const status = (headers: Record<string, string>): Promise<number> => new Promise((res) => {
      const ws = new WebSocket(url, { headers });
      ws.on('unexpected-response', (_req, r) => { res(r.statusCode ?? 0); ws.terminate(); });
      ws.on('open', () => { res(101); ws.terminate(); });
      ws.on('error', () => {});
    });
    assert.is(await status({}), 401);
    assert.is(await status({ authorization: `Bearer ${await signApiToken(ownerB)}` }), 403);
    assert.is(await status({ authorization: `Bearer ${await signApiToken(ownerA)}` }), 101);
  } finally {
    await dev?.client.close();
    await app.close();
    tmp.remove();
  }
});

test.run();
