// client.live() against the real relay app on 127.0.0.1 (cloud/app/relay.ts),
// fed by a device sealing with the TS reference sealer over the real channel:
// a dropped WebSocket, a relay restart on the same ports and data dir, token
// expiry (the relay closes the feed with 4001) and a feed started mid-epoch
// all end with every reading delivered exactly once, verified, and no issue
// reported; onOpen/onClose fire; a bounded reconnect gives up.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import type { RelayApp } from '../../cloud/app/relay.ts';
import { createClient, ClientError, TOKEN_LIFETIME_S, type LiveCloseInfo, type WebSocketCtor } from '../../cloud/client/index.ts';
import type { StreamIssue, VerifiedReading } from '../../cloud/readings/index.ts';
import { apiOf, newIdentity, portsOf, seqs, sleep, sortSeqs, startRelay, tempDir, TestDevice, waitFor } from '../client/support.ts';

const test = suite('readings: client live feed');

/** A `ws` WebSocket the test can reach (to drop it). */
function trackedSockets(): { sockets: WebSocket[]; ctor: WebSocketCtor } {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { sockets, ctor: Tracked as unknown as WebSocketCtor };
}

interface Watch {
  got: VerifiedReading[];
  issues: StreamIssue[];
  opens: number;
  closes: LiveCloseInfo[];
  errors: Error[];
  seqs(): bigint[];
}
function watch(): Watch {
  const w: Watch = { got: [], issues: [], opens: 0, closes: [], errors: [], seqs: () => sortSeqs(w.got.map((r) => r.seq)) };
  return w;
}
const callbacks = (w: Watch) => ({
  onIssue: (i: StreamIssue) => { w.issues.push(i); },
  onOpen: () => { w.opens++; },
  onClose: (c: LiveCloseInfo) => { w.closes.push(c); },
  onError: (e: Error) => { w.errors.push(e); },
});
const text = (r: VerifiedReading): string => new TextDecoder().decode(r.payload);
const describe = (w: Watch): string => `${w.got.length} readings [${w.seqs().join(',')}], opens ${w.opens}, closes ${w.closes.map((c) => c.code).join(',')}, issues ${w.issues.map((i) => i.detail).join('; ')}`;

test('a dropped WebSocket and a relay restart: every reading exactly once, verified; onOpen/onClose fire', async () => {
  const tmp = tempDir('live-restart');
  const owner = newIdentity();
  let app: RelayApp | undefined = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 5);
  const w = watch();
  const { sockets, ctor } = trackedSockets();
  let handle: { close(): void } | undefined;
  try {
    await device.enroll(app, owner);
    const api = apiOf(app);
    const ports = portsOf(app);
    const client = createClient({ baseUrl: api, ownerSeed: owner.seed, WebSocket: ctor });
    handle = client.live(device.did, (r) => w.got.push(r), { ...callbacks(w), reconnect: { minDelayMs: 50, maxDelayMs: 400 } });
    await waitFor(() => w.opens === 1, 5000, () => describe(w));

    await device.emit(7); // epoch 1 closed, epoch 2 open
    await waitFor(() => w.got.length === 7, 5000, () => describe(w));

    // The socket drops (client side, no close frame): readings sent meanwhile come through the catch-up fetch.
    sockets[sockets.length - 1].terminate();
    await device.emit(4);
    await waitFor(() => w.got.length === 11 && w.opens === 2, 5000, () => describe(w));
    assert.is(w.closes[0].code, 1006);
    assert.ok(w.closes[0].retryInMs !== null && w.closes[0].retryInMs >= 0 && w.closes[0].retryInMs <= 400, JSON.stringify(w.closes[0]));

    // The relay stops (1001 to the feed) and restarts on the same ports and data dir; the device
    // seals while it is down and resends after; the feed retries until the relay is back.
    await device.disconnect();
    await app.close();
    app = undefined;
    await device.emit(6);
    assert.is(device.queued > 0, true, 'readings wait on the device while the relay is down');
    await waitFor(() => w.closes.length >= 3, 5000, () => `failed attempts while the relay is down: ${describe(w)}`);
    app = await startRelay(tmp.dir, owner, ports);
    await device.reconnect(app);
    await device.emit(5);
    await waitFor(() => w.got.length >= 22 && w.opens >= 3, 10_000, () => describe(w));
    await sleep(100); // a duplicate would show up here

    assert.equal(w.seqs(), seqs(22), 'each reading once');
    assert.is(w.got.length, 22);
    for (const r of w.got) assert.is(text(r), device.sealed.get(r.seq), `payload of ${r.seq}`);
    assert.equal(w.issues, [], 'no relay misbehaviour reported');
    assert.ok(w.closes.some((c) => c.code === 1001), `the relay said it was going away: ${w.closes.map((c) => c.code)}`);
    assert.ok(w.closes.every((c) => c.retryInMs !== null), 'the feed kept retrying');

    // After close(): no socket, no callback.
    handle.close();
    const n = w.got.length;
    const closes = w.closes.length;
    await device.emit(2);
    await sleep(100);
    assert.is(w.got.length, n);
    assert.is(w.closes.length, closes);
    assert.ok(sockets.every((s) => s.readyState === WebSocket.CLOSED || s.readyState === WebSocket.CLOSING));
  } finally {
    handle?.close();
    await device.close();
    await app?.close();
    tmp.remove();
  }
});

test('token expiry: the relay closes the feed (4001), the client signs a new token and loses nothing', async () => {
  const tmp = tempDir('live-token');
  const owner = newIdentity();
  const app = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 4);
  const w = watch();
  let handle: { close(): void } | undefined;
  try {
    await device.enroll(app, owner);
    // The client's clock runs TOKEN_LIFETIME_S - 2 s behind: each token expires 2 s after it is signed.
    const skew = (TOKEN_LIFETIME_S - 2) * 1000;
    const client = createClient({ baseUrl: apiOf(app), ownerSeed: owner.seed, WebSocket: WebSocket as unknown as WebSocketCtor, now: () => Date.now() - skew });
    handle = client.live(device.did, (r) => w.got.push(r), { ...callbacks(w), since: 0 });
    await waitFor(() => w.opens === 1, 5000, () => describe(w));
    const expiries = () => w.closes.filter((c) => c.code === 4001).length;
    let sent = 0;
    while (expiries() < 2 && sent < 200) {
      await device.emit(1);
      sent++;
      await sleep(50);
    }
    await device.emit(3);
    sent += 3;
    await waitFor(() => w.got.length >= sent, 10_000, () => describe(w));
    await sleep(100);
    assert.ok(expiries() >= 2, `renewals: ${expiries()}`);
    assert.ok(w.closes.filter((c) => c.code === 4001).every((c) => c.retryInMs === 0), 'a renewal reconnects at once');
    assert.equal(w.seqs(), seqs(sent), 'each reading once across renewals');
    assert.is(w.got.length, sent);
    assert.equal(w.issues, []);
  } finally {
    handle?.close();
    await device.close();
    await app.close();
    tmp.remove();
  }
});

test('a feed started mid-epoch opens it through a fetch; since filters older readings', async () => {
  const tmp = tempDir('live-mid');
  const owner = newIdentity();
  const app = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 5);
  const now = watch();
  const all = watch();
  const handles: { close(): void }[] = [];
  try {
    await device.enroll(app, owner);
    await device.emit(3); // epoch 1: open, seq 1..3
    await sleep(5);
    const client = createClient({ baseUrl: apiOf(app), ownerSeed: owner.seed, WebSocket: WebSocket as unknown as WebSocketCtor });
    handles.push(client.live(device.did, (r) => now.got.push(r), callbacks(now)));
    handles.push(client.live(device.did, (r) => all.got.push(r), { ...callbacks(all), since: 0 }));
    await waitFor(() => now.opens === 1 && all.opens === 1, 5000, () => `${describe(now)} / ${describe(all)}`);
    await device.emit(4); // seq 4, 5 close epoch 1; 6, 7 in epoch 2
    await waitFor(() => now.got.length >= 4 && all.got.length >= 7, 5000, () => `${describe(now)} / ${describe(all)}`);
    await sleep(100);
    assert.equal(now.seqs(), [4n, 5n, 6n, 7n], 'only readings received after live() started');
    assert.equal(all.seqs(), seqs(7), 'since: 0 delivers the stored ones too');
    assert.is(all.got.length, 7);
    assert.equal([...now.issues, ...all.issues], []);
  } finally {
    for (const h of handles) h.close();
    await device.close();
    await app.close();
    tmp.remove();
  }
});

test('bounded reconnect: maxAttempts failed attempts, then the feed stops with ClientError live', async () => {
  // A port nobody listens on.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const owner = newIdentity();
  const device = newIdentity();
  const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, ownerSeed: owner.seed, WebSocket: WebSocket as unknown as WebSocketCtor });
  const w = watch();
  const h = client.live(device.did, (r) => w.got.push(r), { ...callbacks(w), reconnect: { minDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
  try {
    await waitFor(() => w.closes.some((c) => c.retryInMs === null), 5000, () => describe(w));
    assert.is(w.closes.length, 4, 'three retries, then stop');
    assert.ok(w.closes.slice(0, 3).every((c) => c.code === 1006 && c.retryInMs !== null && c.retryInMs <= 20), JSON.stringify(w.closes));
    assert.is(w.opens, 0);
    const last = w.errors[w.errors.length - 1];
    assert.ok(last instanceof ClientError && last.code === 'live', String(last));
    // reconnect: false: one attempt, no retry.
    const one = watch();
    const h2 = client.live(device.did, () => {}, { ...callbacks(one), reconnect: false });
    await waitFor(() => one.closes.length === 1, 5000, () => describe(one));
    await sleep(50);
    assert.is(one.closes.length, 1);
    assert.is(one.closes[0].retryInMs, null);
    h2.close();
  } finally {
    h.close();
  }
});

test.run();
