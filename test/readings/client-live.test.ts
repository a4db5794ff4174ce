// client.live() against the real relay app on 127.0.0.1 (cloud/app/relay.ts),
// fed by a device sealing with the TS reference sealer over the real channel:
// a dropped WebSocket, a relay restart on the same ports and data dir, token
// expiry (the relay closes the feed with 4001) and a feed started mid-epoch
// all end with every reading delivered exactly once, in sequence order,
// verified, and no issue reported; onOpen/onClose fire; a bounded reconnect
// gives up. Sequence order across a reconnect whose catch-up fetch is slow, the
// `source` of each reading, and a relay missing records (the client's view of
// it filtered at its fetch and WebSocket) that is moved past at the hold bound
// or once provable, reported only when provable.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import type { RelayApp } from '../../cloud/app/relay.ts';
import {
  createClient, ClientError, fromBase64, TOKEN_LIFETIME_S,
  type LiveCloseInfo, type LiveReadingInfo, type WebSocketCtor, type WebSocketLike,
} from '../../cloud/client/index.ts';
import { recordPosition } from '../../cloud/client/wire.ts';
import { KIND_READING } from '../../cloud/readings/records.ts';
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

/** A promise the test opens when it wants. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((r) => { open = r; });
  return { promise, open };
}

/** seq of a READING in a relay entry's base64 record, else null. */
function readingSeq(b64: string): bigint | null {
  const bytes = fromBase64(b64);
  const pos = recordPosition(bytes);
  return pos !== null && bytes[0] === KIND_READING ? pos.seq : null;
}

/**
 * The client's view of a relay, shaped by the test: WebSocket messages and
 * records pages without the READINGs `dropLive` / `dropFetched` name (a relay
 * missing them), a fetch of records that waits while `fetchGate` is set, and a
 * socket that waits to connect while `connectGate` is set.
 */
class View {
  dropLive: (seq: bigint) => boolean = () => false;
  dropFetched: (seq: bigint) => boolean = () => false;
  fetchGate: Promise<void> | null = null;
  connectGate: Promise<void> | null = null;
  /** Every `ws` socket made, and the messages each received (dropped ones too). */
  readonly sockets: { ws: WebSocket | null; messages: number }[] = [];

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    if (!url.includes('/records')) return fetch(input, init);
    if (this.fetchGate !== null) await this.fetchGate;
    const res = await fetch(input, init);
    if (!res.ok) return res;
    const page = await res.json() as { records: { record: string }[]; next: unknown };
    page.records = page.records.filter((e) => { const seq = readingSeq(e.record); return seq === null || !this.dropFetched(seq); });
    return new Response(JSON.stringify(page), { status: res.status, headers: { 'content-type': 'application/json' } });
  };

  get WebSocket(): WebSocketCtor {
    const view = this;
    return class implements WebSocketLike {
      onopen: ((ev: unknown) => void) | null = null;
      onmessage: ((ev: { data: unknown }) => void) | null = null;
      onclose: ((ev: unknown) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      private readonly slot: { ws: WebSocket | null; messages: number } = { ws: null, messages: 0 };
      private closed = false;
      constructor(url: string) {
        view.sockets.push(this.slot);
        void (view.connectGate ?? Promise.resolve()).then(() => {
          if (this.closed) return;
          const ws = new WebSocket(url);
          this.slot.ws = ws;
          ws.onopen = (ev) => this.onopen?.(ev);
          ws.onmessage = (ev) => {
            this.slot.messages++;
            const seq = readingSeq((JSON.parse(String(ev.data)) as { record: string }).record);
            if (seq === null || !view.dropLive(seq)) this.onmessage?.({ data: ev.data });
          };
          ws.onclose = (ev) => this.onclose?.(ev);
          ws.onerror = (ev) => this.onerror?.(ev);
        });
      }
      close(): void {
        this.closed = true;
        this.slot.ws?.close();
      }
    };
  }
}

interface Watch {
  got: VerifiedReading[];
  infos: LiveReadingInfo[];
  /** Readings and issues in the order the feed reported them. */
  events: string[];
  issues: StreamIssue[];
  opens: number;
  closes: LiveCloseInfo[];
  errors: Error[];
  seqs(): bigint[];
}
function watch(): Watch {
  const w: Watch = { got: [], infos: [], events: [], issues: [], opens: 0, closes: [], errors: [], seqs: () => sortSeqs(w.got.map((r) => r.seq)) };
  return w;
}
/** The onReading of a watch. */
const into = (w: Watch) => (r: VerifiedReading, info: LiveReadingInfo) => {
  w.got.push(r);
  w.infos.push(info);
  w.events.push(`reading ${r.seq}`);
};
const callbacks = (w: Watch) => ({
  onIssue: (i: StreamIssue) => { w.issues.push(i); w.events.push(`${i.kind} ${i.from}..${i.to}`); },
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
    handle = client.live(device.did, into(w), { ...callbacks(w), reconnect: { minDelayMs: 50, maxDelayMs: 400 } });
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

    assert.equal(w.got.map((r) => r.seq), seqs(22), 'each reading once, in sequence order');
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
    assert.equal(w.got.map((r) => r.seq), seqs(sent), 'each reading once across renewals, in sequence order');
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

test('a reconnect whose catch-up fetch is slow: the new socket\'s readings wait for the gap, then strictly ascending, each once; source says how each came', async () => {
  const tmp = tempDir('live-order');
  const owner = newIdentity();
  const app = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 4);
  const view = new View();
  const w = watch();
  let handle: { close(): void } | undefined;
  try {
    await device.enroll(app, owner);
    const client = createClient({ baseUrl: apiOf(app), ownerSeed: owner.seed, WebSocket: view.WebSocket, fetch: view.fetch });
    handle = client.live(device.did, into(w), { ...callbacks(w), reconnect: { minDelayMs: 20, maxDelayMs: 40 } });
    await waitFor(() => w.opens === 1, 5000, () => describe(w));
    await device.emit(5); // epoch 1 (seq 1..4) closed, epoch 2 open with seq 5
    await waitFor(() => w.got.length === 5, 5000, () => describe(w));

    // The socket drops; the next one waits to connect until seq 6, 7 are stored (so only a fetch has them).
    const connect = gate();
    view.connectGate = connect.promise;
    view.sockets[0].ws!.terminate();
    await waitFor(() => view.sockets.length === 2, 5000, () => `a second socket: ${describe(w)}`);
    await device.emit(2);
    // The new socket opens; its catch-up fetch waits while seq 8, 9 come over it.
    const fetched = gate();
    view.fetchGate = fetched.promise;
    view.connectGate = null;
    connect.open();
    await waitFor(() => w.opens === 2, 5000, () => describe(w));
    await device.emit(2);
    await waitFor(() => view.sockets[1].messages >= 2, 5000, () => `messages on the new socket: ${view.sockets[1].messages}`);
    await sleep(50); // the feed has verified 8, 9 by now
    assert.equal(w.got.map((r) => r.seq), seqs(5), 'nothing behind the gap (6, 7) before the fetch answers');
    view.fetchGate = null;
    fetched.open();
    await waitFor(() => w.got.length === 9, 5000, () => describe(w));
    await sleep(100); // a duplicate would show up here

    assert.equal(w.got.map((r) => r.seq), seqs(9), 'strictly ascending, each once');
    for (const r of w.got) assert.is(text(r), device.sealed.get(r.seq), `payload of ${r.seq}`);
    assert.equal(w.infos.map((i) => i.source), ['live', 'live', 'live', 'live', 'live', 'fetched', 'fetched', 'live', 'live']);
    assert.ok(w.infos.every((i) => i.late === false));
    assert.equal(w.issues, []);
  } finally {
    handle?.close();
    await device.close();
    await app.close();
    tmp.remove();
  }
});

test('a relay missing a reading: the feed moves past it at the hold bound, or once the closed epoch proves it (reported first); never stalls', async () => {
  const tmp = tempDir('live-gap');
  const owner = newIdentity();
  const app = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 4);
  const short = watch();
  const long = watch();
  const handles: { close(): void }[] = [];
  try {
    await device.enroll(app, owner);
    // Both feeds see a relay without seq 2, on the socket and in every fetch.
    const feed = (w: Watch, maxMs: number) => {
      const view = new View();
      view.dropLive = view.dropFetched = (seq) => seq === 2n;
      const client = createClient({ baseUrl: apiOf(app), ownerSeed: owner.seed, WebSocket: view.WebSocket, fetch: view.fetch });
      handles.push(client.live(device.did, into(w), { ...callbacks(w), hold: { maxMs } }));
    };
    feed(short, 200);
    feed(long, 60_000);
    await waitFor(() => short.opens === 1 && long.opens === 1, 5000, () => `${describe(short)} / ${describe(long)}`);
    await device.emit(3); // epoch 1, still open: 1, (2), 3
    // Within the bound, seq 3 waits; past it, the short feed hands it on. Epoch 1 is open: nothing provable yet.
    await waitFor(() => short.got.length === 2, 5000, () => describe(short));
    assert.equal(short.got.map((r) => r.seq), [1n, 3n]);
    assert.equal(short.issues, [], 'a gap in an open epoch is not reported');
    assert.equal(long.got.map((r) => r.seq), [1n], 'the long bound still waits');
    assert.equal(long.issues, []);

    await device.emit(3); // seq 4 closes epoch 1: the gap is provable; 5, 6 in epoch 2
    await waitFor(() => short.got.length === 5 && long.got.length === 5 && short.issues.length > 0 && long.issues.length > 0,
      5000, () => `${describe(short)} / ${describe(long)}`);
    await sleep(100);
    for (const w of [short, long]) {
      assert.equal(w.got.map((r) => r.seq), [1n, 3n, 4n, 5n, 6n], 'ascending, each once, past the gap');
      assert.ok(w.infos.every((i) => i.late === false));
      assert.is(w.issues.length, 1, describe(w));
      assert.equal({ kind: w.issues[0].kind, epoch: w.issues[0].epoch, from: w.issues[0].from, to: w.issues[0].to }, { kind: 'gap', epoch: 1, from: 2n, to: 2n });
    }
    assert.equal(long.events, ['reading 1', 'gap 2..2', 'reading 3', 'reading 4', 'reading 5', 'reading 6'], 'reported, then moved past');
  } finally {
    for (const h of handles) h.close();
    await device.close();
    await app.close();
    tmp.remove();
  }
});

test('more than hold.maxReadings behind a hole releases it; a skipped reading that turns up later comes once, late, not reported', async () => {
  const tmp = tempDir('live-count');
  const owner = newIdentity();
  const app = await startRelay(tmp.dir, owner);
  const device = new TestDevice(owner, 6);
  const view = new View();
  const w = watch();
  let handle: { close(): void } | undefined;
  try {
    await device.enroll(app, owner);
    view.dropLive = (seq) => seq === 2n; // the socket never sees seq 2 ...
    view.dropFetched = (seq) => seq === 2n; // ... and the relay has not stored it yet
    const client = createClient({ baseUrl: apiOf(app), ownerSeed: owner.seed, WebSocket: view.WebSocket, fetch: view.fetch });
    handle = client.live(device.did, into(w), { ...callbacks(w), hold: { maxMs: 60_000, maxReadings: 2 } });
    await waitFor(() => w.opens === 1, 5000, () => describe(w));
    await device.emit(4); // 1, (2), 3, 4: two wait
    await waitFor(() => view.sockets[0].messages >= 5, 5000, () => `messages: ${view.sockets[0].messages}`);
    await sleep(50);
    assert.equal(w.got.map((r) => r.seq), [1n]);
    await device.emit(1); // a third behind the hole: released
    await waitFor(() => w.got.length === 4, 5000, () => describe(w));
    assert.equal(w.got.map((r) => r.seq), [1n, 3n, 4n, 5n]);

    view.dropFetched = () => false; // the relay has seq 2 now
    await device.emit(2); // seq 6 closes epoch 1: the gap is checked by a fetch, which has it
    await waitFor(() => w.got.length === 7, 5000, () => describe(w));
    await sleep(100);
    assert.equal(w.seqs(), seqs(7), 'each once');
    const late = w.infos.map((i, n) => (i.late ? w.got[n].seq : null)).filter((x) => x !== null);
    assert.equal(late, [2n], 'only the skipped reading is late');
    assert.is(w.infos[w.got.findIndex((r) => r.seq === 2n)].source, 'fetched');
    const inOrder = w.got.filter((_, n) => !w.infos[n].late).map((r) => r.seq);
    assert.equal(inOrder, [1n, 3n, 4n, 5n, 6n, 7n], 'the rest ascending');
    assert.equal(w.issues, [], 'found after all: not relay misbehaviour');
  } finally {
    handle?.close();
    await device.close();
    await app.close();
    tmp.remove();
  }
});

test('hold: RangeError for a negative or non-finite bound', () => {
  const client = createClient({ baseUrl: 'http://127.0.0.1:9', ownerSeed: newIdentity().seed, WebSocket: WebSocket as unknown as WebSocketCtor });
  const did = newIdentity().did;
  const start = (hold: { maxMs?: number; maxReadings?: number }) => () => client.live(did, () => {}, { hold, reconnect: false }).close();
  assert.throws(start({ maxMs: -1 }), RangeError);
  assert.throws(start({ maxMs: Infinity }), RangeError);
  assert.throws(start({ maxReadings: 1.5 }), RangeError);
});

test.run();
