// TCP framing on the device (docs/protocol.md §2; firmware/protocol/tcp.ts):
// the 2-byte big-endian length, reassembly across any chunking, and a
// refused length closing the connection. The release core opens a real TCP
// connection to a silent local server; the test then plays the board's
// receive path itself, asking fw_rx_ptr / fw_rx_bytes before every piece as
// a board must, so chunk boundaries are whatever the test chooses.

import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { identityFromSeed } from '../../cloud/keys/did.ts';
import { rng } from '../support/rng.ts';
import { ManualClock, claimBundle, io, put, startTestDevice, type TestDevice } from './support.ts';

const test = suite('device: TCP framing and reassembly');
const r = rng('tcp-framing');

/** Junk TRANSPORT messages (unknown receiver: each one is dropped and counted once). */
function junk(count: number): { stream: Uint8Array; lengths: number[] } {
  const parts: Uint8Array[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = 32 + r.int(1472 - 32 + 1);
    const m = r.bytes(n);
    m[0] = 4; m[1] = 0; m[2] = 0; m[3] = 0;
    parts.push(Uint8Array.of(n >> 8, n & 0xff), m);
    lengths.push(n);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return { stream: out, lengths };
}

/** Feeds bytes to fw_on_packet in pieces of at most `max` (and at most what the core offers). */
function feed(d: TestDevice, handle: number, bytes: Uint8Array, max: () => number): void {
  for (let at = 0; at < bytes.length;) {
    const room = d.x.fw_rx_bytes();
    const n = Math.min(bytes.length - at, room, Math.max(1, max()));
    new Uint8Array(d.x.memory.buffer, d.x.fw_rx_ptr(), n).set(bytes.subarray(at, at + n));
    assert.is(d.x.fw_on_packet(handle, n), 0);
    at += n;
  }
}

async function withDevice(fn: (d: TestDevice) => Promise<void>): Promise<void> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const clock = new ManualClock();
  const d = await startTestDevice(clock, `tcp-${r.u32()}`);
  try {
    const relay = identityFromSeed(r.bytes(32));
    const bundle = claimBundle(relay.ed25519PublicKey, 'tcp', (server.address() as AddressInfo).port, r.bytes(8), r.bytes(16));
    put(d.x, 0, bundle);
    assert.is(d.x.fw_enroll(0, bundle.length), 0); // opens handle 0 and sends ENROLL_INIT
    await io(10);
    await fn(d);
  } finally {
    d.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((res) => server.close(() => res()));
  }
}

test('any chunking of a stream of messages is reassembled message by message', async () => {
  await withDevice(async (d) => {
    for (const chunking of [() => 1, () => 2, () => 3, () => 1474, () => 1 + r.int(1474), () => 1 + r.int(40)]) {
      const before = d.status().dropped;
      const { stream, lengths } = junk(12);
      feed(d, 0, stream, chunking);
      assert.is(d.status().dropped - before, lengths.length, 'each message seen exactly once');
      assert.is(d.x.fw_rx_bytes(), 1474, 'nothing left over between messages');
      assert.is(d.status().linkResets, 0);
    }
  });
});

test('a message split at every possible point is still one message', async () => {
  await withDevice(async (d) => {
    const { stream } = junk(1);
    for (let cut = 1; cut < stream.length; cut += 97) {
      const before = d.status().dropped;
      feed(d, 0, stream.subarray(0, cut), () => 1474);
      assert.is(d.status().dropped, before, 'incomplete: not processed yet');
      assert.is(d.x.fw_rx_bytes(), 1474 - cut);
      feed(d, 0, stream.subarray(cut), () => 1474);
      assert.is(d.status().dropped, before + 1);
    }
  });
});

for (const [name, len] of [['below 4', 3], ['zero', 0], ['above MAX_MESSAGE_BYTES', 1473], ['0xffff', 0xffff]] as const) {
  test(`a length ${name} closes the connection (§2)`, async () => {
    await withDevice(async (d) => {
      feed(d, 0, Uint8Array.of(len >> 8, len & 0xff, 4, 0, 0, 0), () => 1474);
      assert.is(d.status().linkResets, 1);
      assert.is(d.x.fw_rx_bytes(), 1474);
      assert.is(d.x.fw_on_packet(0, 1), -2, 'the closed handle is refused (HAL_ENOENT)');
    });
  });
}

test('a board writing more than fw_rx_bytes() offered closes the connection instead of trusting the stream', async () => {
  await withDevice(async (d) => {
    const { stream } = junk(1);
    feed(d, 0, stream.subarray(0, 100), () => 1474);
    assert.is(d.x.fw_on_packet(0, d.x.fw_rx_bytes() + 1), -1);
    assert.is(d.status().linkResets, 1);
  });
});

test.run();
