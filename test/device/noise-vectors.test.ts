// The device's Noise code (firmware/protocol/noise.ts), as the initiator,
// against the cacophony vectors for the four patterns sealink uses or derives
// from: Noise_IK, Noise_XX, Noise_IKpsk2, Noise_XXpsk3 with 25519 /
// ChaChaPoly / SHA256. Through the test build's exports (firmware/testing/),
// with the vector's ephemeral supplied by the test: every initiator message
// must match byte for byte, every responder message must decrypt to its
// payload, the handshake hash must match, and so must the transport messages
// that follow (initiator's sealed, responder's opened) under Split()'s keys.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { vectorText } from '../support/vectors.ts';
import { fromHex, toHex } from '../support/hex.ts';
import { loadTestCore, put, take, type Exports } from './support.ts';

interface CacophonyVector {
  protocol_name: string;
  init_prologue: string;
  init_psks?: string[];
  init_static?: string;
  init_ephemeral: string;
  init_remote_static?: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}

const PATTERNS: Record<string, { id: number; handshakeMessages: number }> = {
  Noise_IK_25519_ChaChaPoly_SHA256: { id: 0, handshakeMessages: 2 },
  Noise_XX_25519_ChaChaPoly_SHA256: { id: 1, handshakeMessages: 3 },
  Noise_IKpsk2_25519_ChaChaPoly_SHA256: { id: 2, handshakeMessages: 2 },
  Noise_XXpsk3_25519_ChaChaPoly_SHA256: { id: 3, handshakeMessages: 3 },
};

const vectors = (JSON.parse(vectorText('cacophony/vectors/cacophony.txt')) as { vectors: CacophonyVector[] }).vectors
  .filter((v) => v.protocol_name in PATTERNS);

// Exchange-buffer layout of the test.
const PROLOGUE = 0, STATIC = 256, REMOTE = 288, PSK = 320, EPH = 352, PAYLOAD = 512, OUT = 2048, IN = 4096;

function runVector(x: Exports, v: CacophonyVector): void {
  const { id, handshakeMessages } = PATTERNS[v.protocol_name];
  const zero = new Uint8Array(32);
  put(x, PROLOGUE, fromHex(v.init_prologue));
  put(x, STATIC, v.init_static ? fromHex(v.init_static) : zero);
  put(x, REMOTE, v.init_remote_static ? fromHex(v.init_remote_static) : zero);
  put(x, PSK, v.init_psks ? fromHex(v.init_psks[0]) : zero);
  put(x, EPH, fromHex(v.init_ephemeral));
  assert.is(x.test_noise_start(id, PROLOGUE, fromHex(v.init_prologue).length, STATIC, REMOTE, PSK), 0);
  let responderCounter = 0n; // transport counters of the responder's messages: 0, 1, ... after the handshake
  v.messages.forEach((m, i) => {
    const payload = fromHex(m.payload);
    const ct = fromHex(m.ciphertext);
    const initiator = i % 2 === 0;
    const handshake = i < handshakeMessages;
    if (initiator) {
      put(x, PAYLOAD, payload);
      const n = handshake ? x.test_noise_write(EPH, PAYLOAD, payload.length, OUT) : x.test_transport_seal(PAYLOAD, payload.length, OUT);
      assert.is(toHex(take(x, OUT, n)), m.ciphertext, `${v.protocol_name} message ${i} (initiator)`);
    } else {
      put(x, IN, ct);
      const n = handshake ? x.test_noise_read(IN, ct.length, OUT)
        : x.test_transport_open(responderCounter++, IN, ct.length, OUT);
      assert.is(n, payload.length, `${v.protocol_name} message ${i} (responder) must authenticate`);
      assert.is(toHex(take(x, OUT, n)), m.payload, `${v.protocol_name} message ${i} payload`);
    }
    if (i === handshakeMessages - 1) {
      assert.is(x.test_noise_hash(OUT), 0);
      assert.is(toHex(take(x, OUT, 32)), v.handshake_hash, `${v.protocol_name} handshake hash`);
      x.test_noise_split();
    }
  });
}

const test = suite('device: Noise initiator vs cacophony');

test('the vector file holds exactly the four patterns', () => {
  assert.equal(vectors.map((v) => v.protocol_name).sort(), Object.keys(PATTERNS).sort());
});

for (const v of vectors) {
  test(`${v.protocol_name}: messages, handshake hash and transport match`, async () => {
    const { x } = await loadTestCore();
    runVector(x, v);
  });
}

test('a tampered responder message is refused and leaves the handshake state intact', async () => {
  const { x } = await loadTestCore();
  for (const v of vectors) {
    const { id } = PATTERNS[v.protocol_name];
    put(x, PROLOGUE, fromHex(v.init_prologue));
    put(x, STATIC, fromHex(v.init_static!));
    put(x, REMOTE, v.init_remote_static ? fromHex(v.init_remote_static) : new Uint8Array(32));
    put(x, PSK, v.init_psks ? fromHex(v.init_psks[0]) : new Uint8Array(32));
    put(x, EPH, fromHex(v.init_ephemeral));
    x.test_noise_start(id, PROLOGUE, fromHex(v.init_prologue).length, STATIC, REMOTE, PSK);
    const m0 = fromHex(v.messages[0].payload);
    put(x, PAYLOAD, m0);
    x.test_noise_write(EPH, PAYLOAD, m0.length, OUT);
    const reply = fromHex(v.messages[1].ciphertext);
    for (const at of [0, 40, reply.length - 1]) {
      const bad = reply.slice();
      bad[at] ^= 1;
      put(x, IN, bad);
      assert.is(x.test_noise_read(IN, bad.length, OUT), -1, `${v.protocol_name}: flipped byte ${at}`);
    }
    put(x, IN, reply);
    assert.is(x.test_noise_read(IN, reply.length, OUT), fromHex(v.messages[1].payload).length,
      `${v.protocol_name}: the genuine reply still works after the forged ones`);
  }
});

test.run();
